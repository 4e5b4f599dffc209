//! One fault rule as the world file and `/sandbox/faults` spell it:
//! which requests it matches, what it does to them and when. Parsing is
//! validation: a `FaultRule` that exists has a usable route pattern and a
//! fraction between 0 and 1.

use glob::{MatchOptions, Pattern};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Matched against the request path below the sandbox base, as sent
    /// (percent-encoded, without the query).
    pub route: RoutePattern,
    /// `GET`, `POST`…, any case; every method when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub fault: Fault,
    pub when: When,
}

/// What a hit does to the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// 429 with the product's throttling body. Business Central documents
    /// no `Retry-After` on 429 (docs/microsoft.md §5), so it is optional.
    Throttle {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_seconds: Option<u64>,
    },
    /// 503 with the product's body.
    Unavailable {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_seconds: Option<u64>,
    },
    /// Waits, then serves the request normally.
    Latency { millis: u64 },
    /// Closes the connection without sending any response.
    Drop,
}

/// Which of the matching requests are hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    untagged,
    deny_unknown_fields,
    expecting = "`{\"first\": N}` or `{\"fraction\": F, \"seed\": S}` with F between 0 and 1 and S optional"
)]
pub enum When {
    /// The first `first` matching requests.
    First { first: u64 },
    /// Each matching request with probability `fraction`, drawn from a
    /// generator seeded with `seed`: the same seed hits the same requests
    /// (by match number) on every run; without one each run differs.
    Fraction {
        fraction: Fraction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<u64>,
    },
}

/// A path glob: `*` is any run of characters within one segment (it never
/// crosses `/`), `**` as a whole segment is any number of segments, `?` is
/// one character. Case-sensitive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoutePattern(Pattern);

const SEGMENT_WISE: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl RoutePattern {
    pub fn matches(&self, path: &str) -> bool {
        self.0.matches_with(path, SEGMENT_WISE)
    }
}

impl TryFrom<String> for RoutePattern {
    type Error = String;

    fn try_from(route: String) -> Result<Self, Self::Error> {
        if !route.starts_with('/') {
            return Err(format!(
                "route {route:?} must start with `/` (a path below the sandbox base, e.g. `/bc/**`)"
            ));
        }
        Pattern::new(&route)
            .map(RoutePattern)
            .map_err(|e| format!("route {route:?} is not a valid pattern: {e}"))
    }
}

impl From<RoutePattern> for String {
    fn from(route: RoutePattern) -> String {
        route.0.as_str().to_string()
    }
}

/// A probability: between 0 and 1 inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Fraction(f64);

impl Fraction {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Fraction {
    type Error = String;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        if (0.0..=1.0).contains(&value) {
            Ok(Fraction(value))
        } else {
            Err(format!("fraction {value} is not between 0 and 1"))
        }
    }
}

impl From<Fraction> for f64 {
    fn from(fraction: Fraction) -> f64 {
        fraction.0
    }
}

impl FaultRule {
    pub fn applies_to(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.route.matches(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn route(pattern: &str) -> RoutePattern {
        RoutePattern::try_from(pattern.to_string()).unwrap()
    }

    #[test]
    fn a_star_stays_within_one_segment() {
        let customers = route("/bc/v2.0/*/Production/api/v2.0/companies(*)/customers");
        assert!(customers.matches(
            "/bc/v2.0/7c2f5e1a-0d3b-4c8e-9a61-c5e0a1b2c3d4/Production/api/v2.0/companies(5f1c)/customers"
        ));
        assert!(
            customers.matches("/bc/v2.0/cronus.example/Production/api/v2.0/companies()/customers")
        );
        // The tenant segment is required by this pattern; `*` cannot swallow `/`.
        assert!(!customers.matches("/bc/v2.0/Production/api/v2.0/companies(5f1c)/customers"));
        assert!(!customers.matches("/bc/v2.0/a/b/Production/api/v2.0/companies(5f1c)/customers"));
        assert!(!customers.matches("/bc/v2.0/t/Production/api/v2.0/companies(5f1c)/customers(9)"));
    }

    #[test]
    fn a_double_star_spans_segments() {
        let bc = route("/bc/**");
        assert!(bc.matches("/bc/v2.0/t/Production/api/v2.0/companies"));
        assert!(bc.matches("/bc/environments/v1.2"));
        assert!(!bc.matches("/fno/cronus-demo/data/CustomersV3"));
        let any_set = route("/dataverse/*/api/data/v9.2/**");
        assert!(any_set.matches("/dataverse/cronus-demo/api/data/v9.2/accounts"));
        assert!(any_set.matches("/dataverse/cronus-demo/api/data/v9.2/EntityDefinitions(LogicalName='account')/Attributes"));
        assert!(route("/**").matches("/entra/x/oauth2/v2.0/token"));
    }

    #[test]
    fn literal_routes_match_exactly_and_case_sensitively() {
        let token = route("/entra/*/oauth2/v2.0/token");
        assert!(token.matches("/entra/common/oauth2/v2.0/token"));
        assert!(!token.matches("/entra/common/oauth2/v2.0/TOKEN"));
        assert!(!token.matches("/entra/common/oauth2/v2.0/token/x"));
        let odata = route("/bc/v2.0/*/*/ODataV4/Company('CRONUS%20USA%2C%20Inc.')/Customer");
        assert!(odata
            .matches("/bc/v2.0/t/Production/ODataV4/Company('CRONUS%20USA%2C%20Inc.')/Customer"));
    }

    #[test]
    fn the_method_narrows_a_rule() {
        let rule: FaultRule = serde_json::from_value(json!({
            "route": "/entra/*/oauth2/v2.0/token", "method": "post",
            "fault": {"kind": "drop"}, "when": {"first": 1}
        }))
        .unwrap();
        assert!(rule.applies_to("POST", "/entra/common/oauth2/v2.0/token"));
        assert!(!rule.applies_to("GET", "/entra/common/oauth2/v2.0/token"));
    }

    #[test]
    fn every_documented_shape_parses_and_round_trips() {
        let rules = json!([
            {"route": "/bc/**", "fault": {"kind": "throttle", "retry_after_seconds": 2}, "when": {"first": 3}},
            {"route": "/fno/**", "fault": {"kind": "throttle"}, "when": {"fraction": 0.5, "seed": 7}},
            {"route": "/dataverse/**", "fault": {"kind": "unavailable"}, "when": {"fraction": 1.0}},
            {"route": "/bc/**", "method": "GET", "fault": {"kind": "latency", "millis": 250}, "when": {"first": 1}},
            {"route": "/**", "fault": {"kind": "drop"}, "when": {"fraction": 0.0}}
        ]);
        let parsed: Vec<FaultRule> = serde_json::from_value(rules.clone()).unwrap();
        assert_eq!(
            parsed[1].when,
            When::Fraction {
                fraction: Fraction(0.5),
                seed: Some(7)
            }
        );
        assert_eq!(serde_json::to_value(&parsed).unwrap(), rules);
    }

    #[test]
    fn rejects_what_cannot_work() {
        let bad = [
            json!({"route": "bc/**", "fault": {"kind": "drop"}, "when": {"first": 1}}),
            json!({"route": "/bc/a**", "fault": {"kind": "drop"}, "when": {"first": 1}}),
            json!({"route": "/bc/**", "fault": {"kind": "explode"}, "when": {"first": 1}}),
            json!({"route": "/bc/**", "fault": {"kind": "latency"}, "when": {"first": 1}}),
            json!({"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"fraction": 1.5}}),
            json!({"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"first": 1, "seed": 2}}),
            json!({"route": "/bc/**", "fault": {"kind": "drop"}}),
            json!({"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"first": 1}, "x": 1}),
        ];
        for rule in bad {
            assert!(
                serde_json::from_value::<FaultRule>(rule.clone()).is_err(),
                "accepted {rule}"
            );
        }
    }
}
