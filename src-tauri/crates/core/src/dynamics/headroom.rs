//! How close a caller is to the service protection limits, as far as the
//! product says so in its answers. Only Dataverse does, in two headers that
//! Microsoft documents "for debugging purposes" (Dataverse "Service
//! protection API limits", docs/microsoft.md §7): shown in the checks,
//! never used to pace requests (the retry policy reacts to 429 instead).

use reqwest::header::HeaderMap;

const REQUESTS_LEFT: &str = "x-ms-ratelimit-burst-remaining-xrm-requests";
const TIME_LEFT: &str = "x-ms-ratelimit-time-remaining-xrm-requests";

/// Dataverse's limit per user per web server in a 5-minute sliding window.
pub const DATAVERSE_REQUESTS_PER_WINDOW: u64 = 6000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headroom {
    /// Requests left in the current window.
    pub requests_left: Option<u64>,
    /// Combined execution time left, as sent (its unit is not documented).
    pub time_left: Option<String>,
}

impl Headroom {
    /// `None` when the answer carries neither header.
    pub fn from_headers(headers: &HeaderMap) -> Option<Headroom> {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let requests_left = text(REQUESTS_LEFT).and_then(|v| {
            // Tolerate thousands separators; the format is not specified.
            v.replace(',', "").parse::<u64>().ok()
        });
        let time_left = text(TIME_LEFT);
        (requests_left.is_some() || time_left.is_some()).then_some(Headroom {
            requests_left,
            time_left,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn reads_both_headers_and_tolerates_separators() {
        let found = Headroom::from_headers(&headers(&[
            (REQUESTS_LEFT, "5,999"),
            (TIME_LEFT, "1199984.5"),
        ]));
        assert_eq!(
            found,
            Some(Headroom {
                requests_left: Some(5999),
                time_left: Some("1199984.5".into()),
            })
        );
    }

    #[test]
    fn absent_or_unreadable_headers_say_nothing() {
        assert_eq!(Headroom::from_headers(&HeaderMap::new()), None);
        assert_eq!(
            Headroom::from_headers(&headers(&[(REQUESTS_LEFT, "lots")])),
            None
        );
        assert_eq!(Headroom::from_headers(&headers(&[(TIME_LEFT, "  ")])), None);
    }
}
