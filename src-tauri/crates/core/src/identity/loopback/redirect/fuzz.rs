//! Judging requests to the listener: random methods, targets, hosts and
//! query strings get exactly the verdict the rules say, never a panic.

use proptest::prelude::*;

use super::*;

const PORT: u16 = 53119;
const STATE: &str = "st-Zq81fuzz";

fn host() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.9,
        prop_oneof![
            prop::sample::select(vec![
                format!("localhost:{PORT}"),
                format!("LOCALHOST:{PORT}"),
                format!("127.0.0.1:{PORT}"),
                "localhost".to_string(),
                format!("localhost:{}", PORT + 1),
                format!("evil.example:{PORT}"),
                format!("[::1]:{PORT}"),
                format!("127.0.0.1.nip.io:{PORT}"),
            ]),
            any::<String>(),
        ],
    )
}

fn param() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![
            4 => prop::sample::select(vec!["state", "code", "error", "error_description", "error_uri", "admin_consent", "tenant", "scope", "session_state"]).prop_map(String::from),
            1 => any::<String>(),
        ],
        prop_oneof![
            Just(STATE.to_string()),
            Just(String::new()),
            prop::sample::select(vec![
                "True",
                "true",
                "FALSE",
                "access_denied",
                "AADSTS65004: declined"
            ])
            .prop_map(String::from),
            any::<String>(),
        ],
    )
}

#[derive(Debug, Clone)]
struct Generated {
    is_get: bool,
    path: &'static str,
    params: Vec<(String, String)>,
    host: Option<String>,
}

impl Generated {
    fn target(&self) -> String {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.params)
            .finish();
        format!("{}?{query}", self.path)
    }

    /// The first value of a parameter, as the listener reads it.
    fn first(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        any::<bool>(),
        prop::sample::select(vec![
            "/",
            "/x",
            "//",
            "/favicon.ico",
            "/%2F",
            "",
            "*",
            "http://localhost/",
        ]),
        prop::collection::vec(param(), 0..6),
        host(),
    )
        .prop_map(|(is_get, path, params, host)| Generated {
            is_get,
            path,
            params,
            host,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn every_request_gets_the_verdict_the_rules_say(g in generated()) {
        let target = g.target();
        let verdict = judge(
            &Incoming { is_get: g.is_get, target: &target, host: g.host.as_deref() },
            PORT,
            &Secret::new(STATE),
        );
        let ours = matches!(g.host.as_deref(), Some(h) if h.eq_ignore_ascii_case(&format!("localhost:{PORT}")) || h == format!("127.0.0.1:{PORT}"));
        let status = match &verdict {
            Verdict::Ignore(reply) => reply.status,
            Verdict::Finish(_) => 0,
        };
        let expected_status = if !ours || !g.path.starts_with('/') {
            400
        } else if g.path != "/" {
            404
        } else if !g.is_get {
            405
        } else if g.first("state") != Some(STATE) {
            400
        } else {
            0
        };
        prop_assert_eq!(status, expected_status, "{:?}", g);
        let Verdict::Finish(outcome) = verdict else { return Ok(()) };
        let non_empty = |name| g.first(name).filter(|v| !v.is_empty());
        match outcome {
            Err(LoopbackError::Entra(e)) => {
                prop_assert_eq!(Some(e.error.as_str()), non_empty("error"));
                prop_assert_eq!(e.error_uri.as_deref(), non_empty("error_uri"));
            }
            Ok(Callback::Code(code)) => {
                prop_assert!(non_empty("error").is_none());
                prop_assert_eq!(Some(code.expose()), non_empty("code"));
            }
            Ok(Callback::AdminConsent { tenant, scope }) => {
                prop_assert!(non_empty("error").is_none() && non_empty("code").is_none());
                prop_assert!(non_empty("admin_consent").is_some_and(|v| v.eq_ignore_ascii_case("true")));
                prop_assert_eq!(Some(tenant.as_str()), non_empty("tenant"));
                prop_assert_eq!(scope.as_deref(), non_empty("scope"));
            }
            Err(LoopbackError::Incomplete { received }) => {
                prop_assert!(non_empty("error").is_none() && non_empty("code").is_none());
                let mut names: Vec<_> = g.params.iter().map(|(n, _)| n.clone()).collect();
                names.sort();
                names.dedup();
                prop_assert_eq!(received, names);
            }
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn any_target_and_host_are_judged_without_a_panic(target in any::<String>(), host in host(), is_get in any::<bool>()) {
        let verdict = judge(&Incoming { is_get, target: &target, host: host.as_deref() }, PORT, &Secret::new(STATE));
        // Without our state nothing ends the wait.
        if !target.contains(STATE) {
            prop_assert!(matches!(verdict, Verdict::Ignore(_)));
        }
    }
}
