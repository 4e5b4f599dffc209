//! The proxy settings D365 Connect uses, read from the environment exactly
//! as its HTTP client reads them (`http::client`: reqwest hands the same
//! variables to hyper-util's proxy matcher, which decides here too), and
//! said in plain words for the About box and the log. A proxy's password
//! never leaves this module: values are shown with it hidden, and the
//! proxy's address is shown without credentials.

use hyper_util::client::proxy::matcher::Matcher;
use serde::Serialize;
use ts_rs::TS;

/// The variables, in the order the client reads them; for each kind the
/// upper-case name wins when both are set. (reqwest's system-proxy feature
/// is off, so nothing else, such as a Windows or macOS setting, is read.)
const VARIABLES: [(&str, &str); 4] = [
    ("HTTPS_PROXY", "https_proxy"),
    ("HTTP_PROXY", "http_proxy"),
    ("ALL_PROXY", "all_proxy"),
    ("NO_PROXY", "no_proxy"),
];

/// What stands in for a proxy password on screen and in the log.
const HIDDEN: &str = "••••••";

/// Stand-ins for a destination: the proxy matcher answers per URL, and
/// `.invalid` is in no one's `NO_PROXY`.
const HTTPS_DESTINATION: &str = "https://destination.invalid/";
const HTTP_DESTINATION: &str = "http://destination.invalid/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProxySettings {
    /// Every proxy variable set for D365 Connect, passwords hidden.
    pub variables: Vec<ProxyVariable>,
    /// The proxy HTTPS requests (everything sent to Microsoft) go
    /// through, as `host:port`; none when they go directly.
    pub https: Option<String>,
    /// The proxy plain HTTP requests go through (the sandbox tenant on
    /// this computer is plain HTTP).
    pub http: Option<String>,
    /// Hosts and addresses reached directly whatever the proxy (`NO_PROXY`).
    pub bypass: Vec<String>,
    /// The whole of it in plain words.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProxyVariable {
    /// As set: `HTTPS_PROXY` or `https_proxy`.
    pub name: String,
    /// Its value with any password hidden.
    pub value: String,
    /// Why D365 Connect does not use it, when it does not.
    pub ignored: Option<String>,
}

impl ProxySettings {
    /// The settings of this process's environment.
    pub fn from_environment() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings `lookup` gives, as the client would take them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut variables = vec![];
        // The value each kind is taken from: the first name set, even empty.
        let mut taken = [String::new(), String::new(), String::new(), String::new()];
        for ((upper, lower), taken) in VARIABLES.iter().zip(taken.iter_mut()) {
            let mut winner: Option<&str> = None;
            for name in [upper, lower] {
                let Some(value) = lookup(name) else { continue };
                let ignored = match winner {
                    Some(first) => Some(format!("Not used: {first} is set too.")),
                    None => {
                        winner = Some(name);
                        *taken = value.clone();
                        unusable(upper, &value)
                    }
                };
                variables.push(ProxyVariable {
                    name: name.to_string(),
                    value: hide_password(&value),
                    ignored,
                });
            }
        }
        let [https, http, all, no] = taken;
        let through = |destination: &'static str| {
            Matcher::builder()
                .https(https.as_str())
                .http(http.as_str())
                .all(all.as_str())
                .build()
                .intercept(&http::Uri::from_static(destination))
                .and_then(|proxy| proxy.uri().authority().map(|a| a.to_string()))
        };
        let (https, http) = (through(HTTPS_DESTINATION), through(HTTP_DESTINATION));
        let bypass: Vec<String> = no
            .split(',')
            .map(str::trim)
            .filter(|host| !host.is_empty())
            .map(str::to_string)
            .collect();
        let summary = summary(https.as_deref(), http.as_deref(), &bypass);
        Self {
            variables,
            https,
            http,
            bypass,
            summary,
        }
    }
}

/// Why a proxy variable's value cannot be used (the client then ignores
/// it, as if it were not set).
fn unusable(kind: &str, value: &str) -> Option<String> {
    if kind == "NO_PROXY" {
        return None;
    }
    if value.trim().is_empty() {
        return Some("Not used: it is empty.".into());
    }
    let usable = Matcher::builder()
        .all(value)
        .build()
        .intercept(&http::Uri::from_static(HTTPS_DESTINATION))
        .is_some();
    (!usable).then(|| {
        "Not used: this is not a proxy address D365 Connect can use, such as http://proxy.example.com:3128.".into()
    })
}

fn summary(https: Option<&str>, http: Option<&str>, bypass: &[String]) -> String {
    let mut words = match (https, http) {
        (None, None) => return "No proxy: D365 Connect connects directly.".into(),
        (Some(https), Some(http)) if https == http => {
            format!("Every request goes through the proxy {https}.")
        }
        (Some(https), Some(http)) => format!(
            "Requests to Microsoft go through the proxy {https}, plain HTTP requests through {http}."
        ),
        (Some(https), None) => format!("Requests to Microsoft go through the proxy {https}."),
        (None, Some(http)) => format!(
            "Requests to Microsoft go directly; plain HTTP requests go through the proxy {http}."
        ),
    };
    if let Some((last, rest)) = bypass.split_last() {
        let hosts = match rest {
            [] => last.clone(),
            _ => format!("{} and {last}", rest.join(", ")),
        };
        words.push_str(&format!(" Requests to {hosts} go directly."));
    }
    words
}

/// The value with the password of any `user:password@` part hidden. Every
/// character between the first `:` after the scheme and the last `@` is
/// hidden, so a password holding `/`, `:` or `@` is hidden whole too.
pub fn hide_password(value: &str) -> String {
    let (scheme, rest) = match value.find("://") {
        Some(at) => value.split_at(at + 3),
        None => ("", value),
    };
    let Some(at) = rest.rfind('@') else {
        return value.to_string();
    };
    let (credentials, host) = rest.split_at(at);
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}{user}:{HIDDEN}{host}"),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> ProxySettings {
        ProxySettings::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn no_variable_means_no_proxy() {
        let s = settings(&[]);
        assert!(s.variables.is_empty());
        assert_eq!((s.https, s.http), (None, None));
        assert_eq!(s.summary, "No proxy: D365 Connect connects directly.");
    }

    #[test]
    fn an_https_proxy_with_exceptions_is_said_in_plain_words_without_its_password() {
        let s = settings(&[
            ("HTTPS_PROXY", "http://alice:s3cret@proxy.example:3128"),
            ("NO_PROXY", "127.0.0.1, localhost,"),
        ]);
        assert_eq!(s.https.as_deref(), Some("proxy.example:3128"));
        assert_eq!(s.http, None);
        assert_eq!(s.bypass, ["127.0.0.1", "localhost"]);
        assert_eq!(
            s.summary,
            "Requests to Microsoft go through the proxy proxy.example:3128. \
             Requests to 127.0.0.1 and localhost go directly."
        );
        assert_eq!(
            s.variables[0],
            ProxyVariable {
                name: "HTTPS_PROXY".into(),
                value: "http://alice:••••••@proxy.example:3128".into(),
                ignored: None
            }
        );
        let everything = serde_json::to_string(&s).unwrap();
        assert!(!everything.contains("s3cret"), "{everything}");
    }

    #[test]
    fn the_upper_case_name_wins_and_the_other_is_marked_unused() {
        let s = settings(&[
            ("HTTPS_PROXY", "http://upper.example:8080"),
            ("https_proxy", "http://lower.example:8080"),
        ]);
        assert_eq!(s.https.as_deref(), Some("upper.example:8080"));
        assert_eq!(s.variables[1].name, "https_proxy");
        assert_eq!(
            s.variables[1].ignored.as_deref(),
            Some("Not used: HTTPS_PROXY is set too.")
        );
    }

    #[test]
    fn lower_case_names_and_all_proxy_are_read_too() {
        let s = settings(&[("all_proxy", "proxy.example:3128")]);
        assert_eq!(s.https.as_deref(), Some("proxy.example:3128"));
        assert_eq!(s.http.as_deref(), Some("proxy.example:3128"));
        assert_eq!(
            s.summary,
            "Every request goes through the proxy proxy.example:3128."
        );
        // HTTPS_PROXY takes precedence over ALL_PROXY for HTTPS.
        let s = settings(&[
            ("ALL_PROXY", "http://all.example:1"),
            ("HTTPS_PROXY", "http://secure.example:2"),
        ]);
        assert_eq!(s.https.as_deref(), Some("secure.example:2"));
        assert_eq!(s.http.as_deref(), Some("all.example:1"));
    }

    #[test]
    fn a_value_the_client_cannot_use_is_marked_and_ignored() {
        let s = settings(&[("HTTPS_PROXY", "ftp://proxy.example:21")]);
        assert_eq!(s.https, None);
        assert!(s.variables[0]
            .ignored
            .as_deref()
            .is_some_and(|why| why.starts_with("Not used")));
        assert_eq!(s.summary, "No proxy: D365 Connect connects directly.");
    }

    #[test]
    fn passwords_are_hidden_whatever_they_hold() {
        for (value, shown) in [
            (
                "http://alice:s3cret@proxy:3128",
                "http://alice:••••••@proxy:3128",
            ),
            ("alice:s3cret@proxy:3128", "alice:••••••@proxy:3128"),
            (
                "http://alice:pa/ss@proxy:3128",
                "http://alice:••••••@proxy:3128",
            ),
            (
                "http://alice:p@ss:w@proxy:3128",
                "http://alice:••••••@proxy:3128",
            ),
            (
                "socks5://bob:%40x@proxy:1080",
                "socks5://bob:••••••@proxy:1080",
            ),
            ("http://alice@proxy:3128", "http://alice@proxy:3128"),
            ("http://proxy:3128", "http://proxy:3128"),
            ("localhost, .internal", "localhost, .internal"),
        ] {
            assert_eq!(hide_password(value), shown, "{value}");
        }
    }
}
