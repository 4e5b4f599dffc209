//! The service protection limits' debugging headers. Dataverse evaluates
//! per user, over a 5-minute sliding window, 6,000 requests and 20 minutes
//! (1,200 s) of combined execution time, and reports what is left in
//! `x-ms-ratelimit-burst-remaining-xrm-requests` and
//! `x-ms-ratelimit-time-remaining-xrm-requests` ("Service protection API
//! limits", power-apps/developer/data-platform/api-limits; docs/microsoft.md §7). The
//! page says they are for debugging only. The sandbox counts but never
//! refuses: 429s come from fault rules, so tests choose when they happen.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};

use crate::bearer::Caller;

const WINDOW: Duration = Duration::from_secs(300);
const MAX_REQUESTS: usize = 6_000;
const MAX_EXECUTION: Duration = Duration::from_secs(1_200);

/// One entry per request: when it came and how long it ran.
type Requests = VecDeque<(Instant, Duration)>;

/// The window of every caller of every organization (each organization is
/// its own set of web servers, so callers are counted per organization).
#[derive(Default)]
pub struct Protection {
    windows: Mutex<HashMap<(String, String), Requests>>,
}

/// What is left of the caller's window after a request.
#[derive(Debug, PartialEq, Eq)]
pub struct Remaining {
    requests: usize,
    execution: Duration,
}

impl Protection {
    /// Counts a request of `caller` that started at `at` and ran `took`.
    pub fn record(&self, org: &str, caller: &Caller, at: Instant, took: Duration) -> Remaining {
        // Limits are per user: a user's object id, an app's client id
        // (S2S runs as the app's application user).
        let who = if caller.is_app() {
            &caller.claims.appid
        } else {
            &caller.claims.oid
        };
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let requests = windows
            .entry((org.to_lowercase(), who.clone()))
            .or_default();
        while requests
            .front()
            .is_some_and(|(t, _)| at.saturating_duration_since(*t) >= WINDOW)
        {
            requests.pop_front();
        }
        requests.push_back((at, took));
        let used: Duration = requests.iter().map(|(_, d)| *d).sum();
        Remaining {
            requests: MAX_REQUESTS.saturating_sub(requests.len()),
            execution: MAX_EXECUTION.saturating_sub(used),
        }
    }
}

impl Remaining {
    pub fn write(&self, headers: &mut HeaderMap) {
        headers.insert(
            "x-ms-ratelimit-burst-remaining-xrm-requests",
            HeaderValue::from(self.requests),
        );
        if let Ok(v) = HeaderValue::from_str(&seconds(self.execution)) {
            headers.insert("x-ms-ratelimit-time-remaining-xrm-requests", v);
        }
    }
}

/// Seconds with a thousands separator and two decimals, `1,199.46`. The
/// format is not documented; this is what the responses in "Use PowerShell
/// and Visual Studio Code with the Dataverse Web API" show (`1,200.00`
/// with `5999` requests left after the first request).
fn seconds(d: Duration) -> String {
    let hundredths = d.as_millis() / 10;
    let whole = (hundredths / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped}.{:02}", hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::AccessClaims;

    fn caller(idtyp: &str, oid: &str, appid: &str) -> Caller {
        let claims: AccessClaims = serde_json::from_value(serde_json::json!({
            "aud": "a", "iss": "i", "iat": 0, "nbf": 0, "exp": 0, "aio": "x",
            "appid": appid, "appidacr": "1", "idp": "i", "idtyp": idtyp,
            "oid": oid, "rh": "r", "sub": "s", "tid": "t", "uti": "u", "ver": "1.0"
        }))
        .unwrap();
        Caller {
            claims,
            tenant: uuid::Uuid::nil(),
        }
    }

    #[test]
    fn each_request_uses_one_of_the_window_and_old_ones_drop_out() {
        let p = Protection::default();
        let user = caller("user", "u1", "app");
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(p.record("org", &user, t0, ms(540)).requests, 5_999);
        let second = p.record("org", &user, t0 + ms(10), ms(1_000));
        assert_eq!(second.requests, 5_998);
        assert_eq!(seconds(second.execution), "1,198.46");
        // Another user, another organization: their own windows.
        assert_eq!(
            p.record("org", &caller("user", "u2", "app"), t0, ms(1))
                .requests,
            5_999
        );
        assert_eq!(p.record("other", &user, t0, ms(1)).requests, 5_999);
        // Five minutes after the first two, only the new one counts.
        let later = p.record("ORG", &user, t0 + WINDOW + ms(10), ms(0));
        assert_eq!(
            later,
            Remaining {
                requests: 5_999,
                execution: MAX_EXECUTION
            }
        );
    }

    #[test]
    fn apps_are_counted_by_client_id() {
        let p = Protection::default();
        let t0 = Instant::now();
        let zero = Duration::ZERO;
        p.record("org", &caller("app", "sp-1", "client"), t0, zero);
        let r = p.record("org", &caller("app", "sp-2", "client"), t0, zero);
        assert_eq!(r.requests, 5_998);
    }

    #[test]
    fn time_left_reads_like_the_service() {
        assert_eq!(seconds(MAX_EXECUTION), "1,200.00");
        assert_eq!(seconds(Duration::from_millis(999_999)), "999.99");
        assert_eq!(seconds(Duration::ZERO), "0.00");
        assert_eq!(seconds(Duration::from_secs(1_234_567)), "1,234,567.00");
    }
}
