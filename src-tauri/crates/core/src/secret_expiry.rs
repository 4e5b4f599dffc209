//! When a connection's client secret stops working. Entra's secrets expire
//! (the admin center offers at most 24 months, docs/microsoft.md §9), and an
//! expired one fails every token request (AADSTS7000222, §3), typically long
//! after anyone last looked at the app. A profile keeps what the admin
//! center shows about its secret, never the secret itself; this module is
//! the one place that decides whether that is fine, soon or too late, and
//! what to do about it. The checks, the desktop app and `d365c` all ask here.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, UtcOffset};
use ts_rs::TS;
use uuid::Uuid;

use crate::problem::{ErrorKind, Explain};

/// From this many days before its expiry date a secret is flagged.
pub const WARNING_DAYS: i64 = 30;

/// An ISO date, `2027-06-01`.
const ISO_DATE: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

time::serde::format_description!(iso_date, Date, ISO_DATE);

/// The client secret a connection uses, as Certificates & secrets lists it
/// (Graph's `passwordCredential`, docs/microsoft.md §9), without its Value.
///
/// `expires_on` is a calendar date, written as an ISO date (`2027-06-01`),
/// not a date-time: it is what the admin center's "Expires" column shows
/// and what a person types, and every warning counts whole days. Graph's
/// `endDateTime` is a UTC date-time; its UTC date is the one to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SecretCredential {
    /// The admin center's "Secret ID" (Graph's `keyId`), a GUID: which of
    /// the app's secrets this is.
    #[serde(default)]
    pub key_id: Option<String>,
    /// The first three characters of the Value (Graph's `hint`), which the
    /// admin center shows in place of the Value once it is saved.
    #[serde(default)]
    pub hint: Option<String>,
    /// The day the secret stops working (the admin center's "Expires").
    #[serde(with = "iso_date")]
    #[ts(type = "string")]
    pub expires_on: Date,
}

/// How close a secret is to its expiry date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum ExpiryState {
    /// More than `WARNING_DAYS` days left.
    Fine,
    /// `WARNING_DAYS` days left or fewer, down to the day itself.
    ExpiringSoon,
    /// The expiry date has passed.
    Expired,
}

/// A secret's expiry as seen on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SecretExpiry {
    #[serde(with = "iso_date")]
    #[ts(type = "string")]
    pub expires_on: Date,
    /// Days from today to `expires_on`: 0 on the day itself, negative once
    /// it has passed.
    #[ts(type = "number")]
    pub days_left: i64,
    pub state: ExpiryState,
}

impl SecretCredential {
    /// A secret's expiry as a person types it: the date from the "Expires"
    /// column and, if they have it, the Secret ID.
    pub fn typed(expires_on: &str, key_id: Option<&str>) -> Result<Self, SecretCredentialError> {
        Self {
            key_id: key_id.map(str::to_string),
            hint: None,
            expires_on: expiry_date(expires_on)?,
        }
        .checked()
    }

    /// A secret Graph made (`addPassword`, docs/microsoft.md §9): its
    /// `endDateTime` kept as its UTC date. `None` when Graph sent no
    /// readable end.
    pub fn from_graph(
        key_id: &str,
        hint: Option<&str>,
        end_date_time: Option<&str>,
    ) -> Option<Self> {
        let end = OffsetDateTime::parse(
            end_date_time?,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()?;
        Some(Self {
            key_id: Some(key_id.to_ascii_lowercase()),
            hint: hint.map(str::to_string),
            expires_on: end.to_offset(UtcOffset::UTC).date(),
        })
    }

    /// The Secret ID checked and in Graph's plain lower-case form; an empty
    /// one is no Secret ID.
    pub fn checked(self) -> Result<Self, SecretCredentialError> {
        let key_id = match self.key_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(typed) => Some(secret_id(typed)?),
        };
        Ok(Self { key_id, ..self })
    }

    /// The rule: fine until `WARNING_DAYS` days before the expiry date,
    /// expiring soon from then until the end of that day, expired after it.
    /// The day itself still counts as "soon": the secret stops at the hour
    /// it was created, which the date does not say, and Entra's own refusal
    /// (the `app` check) is the proof either way.
    ///
    /// Days are counted on the UTC calendar, whatever `now`'s offset: it is
    /// the calendar of Graph's `endDateTime`, and the one every adapter can
    /// read (neither the CLI nor the core can rely on knowing the local
    /// time zone), so the app, `d365c` and the checks never disagree.
    pub fn expiry(&self, now: OffsetDateTime) -> SecretExpiry {
        let today = now.to_offset(UtcOffset::UTC).date();
        let days_left = (self.expires_on - today).whole_days();
        let state = if days_left < 0 {
            ExpiryState::Expired
        } else if days_left <= WARNING_DAYS {
            ExpiryState::ExpiringSoon
        } else {
            ExpiryState::Fine
        };
        SecretExpiry {
            expires_on: self.expires_on,
            days_left,
            state,
        }
    }

    /// `expiry` as of this moment, for the adapters.
    pub fn expiry_today(&self) -> SecretExpiry {
        self.expiry(OffsetDateTime::now_utc())
    }
}

impl SecretExpiry {
    /// "expires in 10 days (on 2026-06-01)", to follow "The client secret".
    pub fn describe(&self) -> String {
        let on = self.expires_on;
        match self.days_left {
            0 => format!("expires today ({on})"),
            1 => format!("expires tomorrow ({on})"),
            -1 => format!("expired yesterday ({on})"),
            days if days < 0 => format!("expired {} days ago (on {on})", -days),
            days => format!("expires in {days} days (on {on})"),
        }
    }
}

/// What to do about a secret that expires soon or has expired: replace it.
/// Every adapter says this through here; where the new secret is entered is
/// the adapter's to say (`Setting::Secret`).
pub fn replace_secret_fix(expiry: &SecretExpiry) -> String {
    let how = "in the Microsoft Entra admin center open App registrations › this app › Certificates & secrets, select “+ New client secret”, copy its Value at once (it is shown only once) and save it with this connection, together with its new Expires date";
    match expiry.state {
        ExpiryState::Expired => format!("Replace the secret: {how}."),
        ExpiryState::Fine | ExpiryState::ExpiringSoon => format!(
            "Replace the secret before {}: {how}. Delete the old secret once nothing uses it.",
            expiry.expires_on
        ),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretCredentialError {
    #[error("'{value}' is not a date.")]
    BadDate { value: String },
    #[error("'{value}' is not a Secret ID.")]
    BadSecretId { value: String },
}

impl Explain for SecretCredentialError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }

    fn fix(&self) -> String {
        match self {
            Self::BadDate { .. } => "Give the date from the Expires column under Certificates & secrets as year-month-day, e.g. 2027-06-01.".into(),
            Self::BadSecretId { .. } => "Copy the Secret ID column under Certificates & secrets (a GUID like 9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02), or leave it out.".into(),
        }
    }
}

fn expiry_date(raw: &str) -> Result<Date, SecretCredentialError> {
    let trimmed = raw.trim();
    Date::parse(trimmed, ISO_DATE).map_err(|_| SecretCredentialError::BadDate {
        value: trimmed.into(),
    })
}

/// A Secret ID in the plain lower-case form Graph writes `keyId` in.
fn secret_id(trimmed: &str) -> Result<String, SecretCredentialError> {
    Uuid::try_parse(trimmed)
        .ok()
        .filter(|_| trimmed.len() == 36)
        .map(|id| id.hyphenated().to_string())
        .ok_or_else(|| SecretCredentialError::BadSecretId {
            value: trimmed.into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn expiring(on: Date) -> SecretCredential {
        SecretCredential {
            key_id: None,
            hint: None,
            expires_on: on,
        }
    }

    /// Noon UTC on 2026-05-01, and a secret `days` after it.
    fn days_before(days: i64) -> SecretExpiry {
        let now = datetime!(2026-05-01 12:00 UTC);
        expiring(date!(2026 - 05 - 01) + time::Duration::days(days)).expiry(now)
    }

    #[test]
    fn graphs_end_is_kept_as_its_utc_date() {
        let made = SecretCredential::from_graph(
            "F0B0B335-1D71-4883-8F98-567911BFDCA6",
            Some("[6g"),
            Some("2027-12-04T23:30:00-02:00"),
        )
        .unwrap();
        assert_eq!(made.expires_on.to_string(), "2027-12-05");
        assert_eq!(
            made.key_id.as_deref(),
            Some("f0b0b335-1d71-4883-8f98-567911bfdca6")
        );
        assert_eq!(made.hint.as_deref(), Some("[6g"));
        assert!(SecretCredential::from_graph("k", None, Some("soon")).is_none());
        assert!(SecretCredential::from_graph("k", None, None).is_none());
    }

    #[test]
    fn fine_until_thirty_days_before_then_soon_until_the_day_then_expired() {
        let cases = [
            (31, ExpiryState::Fine),
            (30, ExpiryState::ExpiringSoon),
            (1, ExpiryState::ExpiringSoon),
            (0, ExpiryState::ExpiringSoon),
            (-1, ExpiryState::Expired),
        ];
        for (days, state) in cases {
            let expiry = days_before(days);
            assert_eq!((expiry.days_left, expiry.state), (days, state), "{days}");
        }
    }

    #[test]
    fn says_the_days_and_the_date_in_plain_words() {
        assert_eq!(
            days_before(31).describe(),
            "expires in 31 days (on 2026-06-01)"
        );
        assert_eq!(days_before(1).describe(), "expires tomorrow (2026-05-02)");
        assert_eq!(days_before(0).describe(), "expires today (2026-05-01)");
        assert_eq!(days_before(-1).describe(), "expired yesterday (2026-04-30)");
        assert_eq!(
            days_before(-12).describe(),
            "expired 12 days ago (on 2026-04-19)"
        );
    }

    #[test]
    fn days_are_counted_on_the_utc_calendar_whatever_the_offset_of_now() {
        let secret = expiring(date!(2026 - 06 - 01));
        // 23:30 on May 31 in New York is already June 1 in UTC.
        let new_york = secret.expiry(datetime!(2026-05-31 23:30 -5));
        assert_eq!(
            (new_york.days_left, new_york.state),
            (0, ExpiryState::ExpiringSoon)
        );
        // 00:30 on June 2 in Berlin is still June 1 in UTC: not yet expired.
        let berlin = secret.expiry(datetime!(2026-06-02 00:30 +2));
        assert_eq!(berlin.days_left, 0);
        // The same instant in any offset gives the same answer.
        let utc = datetime!(2026-06-01 22:30 UTC);
        for offset in [-12, -5, 0, 5, 14] {
            let local = utc.to_offset(UtcOffset::from_hms(offset, 0, 0).unwrap());
            assert_eq!(secret.expiry(local), secret.expiry(utc), "UTC{offset:+}");
        }
        assert_eq!(
            secret.expiry(datetime!(2026-06-02 00:00 UTC)).state,
            ExpiryState::Expired
        );
    }

    #[test]
    fn kept_as_an_iso_date_and_older_files_without_ids_still_load() {
        let credential = SecretCredential {
            key_id: Some("9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02".into()),
            hint: Some("Cr8".into()),
            expires_on: date!(2027 - 06 - 01),
        };
        let json = serde_json::to_value(&credential).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "key_id": "9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02",
                "hint": "Cr8",
                "expires_on": "2027-06-01"
            })
        );
        let bare: SecretCredential =
            serde_json::from_str(r#"{"expires_on":"2027-06-01"}"#).unwrap();
        assert_eq!(
            (bare.key_id, bare.expires_on),
            (None, date!(2027 - 06 - 01))
        );
        assert!(serde_json::from_str::<SecretCredential>(
            r#"{"expires_on":"2027-06-01T00:00:00Z"}"#
        )
        .is_err());
        let expiry = serde_json::to_value(days_before(10)).unwrap();
        assert_eq!(
            expiry,
            serde_json::json!({"expires_on": "2026-05-11", "days_left": 10, "state": "ExpiringSoon"})
        );
    }

    #[test]
    fn typed_dates_and_secret_ids_are_checked() {
        let typed =
            SecretCredential::typed(" 2027-06-01 ", Some("9B0E7D35-2C4A-4E61-A8F3-1D5C7E9B3A02"))
                .unwrap();
        assert_eq!(typed.expires_on, date!(2027 - 06 - 01));
        assert_eq!(
            typed.key_id.as_deref(),
            Some("9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02")
        );
        for bad in ["06/01/2027", "2027-6-1", "2027-02-30", ""] {
            let err = SecretCredential::typed(bad, None).unwrap_err();
            assert!(
                matches!(err, SecretCredentialError::BadDate { .. }),
                "{bad}"
            );
            assert!(err.explain().fix.contains("2027-06-01"));
        }
        let blank = SecretCredential::typed("2027-06-01", Some("  ")).unwrap();
        assert_eq!(blank.key_id, None);
        let err = SecretCredential::typed("2027-06-01", Some("Cr8Q~not-an-id")).unwrap_err();
        assert_eq!(err.explain().kind, ErrorKind::InvalidInput);
        assert!(err.explain().fix.contains("Secret ID"));
    }

    #[test]
    fn the_fix_names_the_date_to_replace_it_by_and_how() {
        let soon = replace_secret_fix(&days_before(10));
        assert!(
            soon.starts_with("Replace the secret before 2026-05-11: "),
            "{soon}"
        );
        assert!(soon.contains("Certificates & secrets") && soon.contains("New client secret"));
        let late = replace_secret_fix(&days_before(-3));
        assert!(late.starts_with("Replace the secret: "), "{late}");
        assert!(late.contains("copy its Value"));
    }
}
