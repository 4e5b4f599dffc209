//! Fault injection: rules from the world file's `faults` or set at run
//! time (`/sandbox/faults`, or `SandboxHandle::faults()`) that throttle
//! (429), refuse (503), delay or drop requests on any route, for the first
//! N matching requests or a seeded fraction of them. It exists so clients'
//! retry policies can be tested against the answers the real services
//! give when they are busy.

mod control;
mod refusal;
mod rule;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

pub(crate) use self::control::routes;
pub(crate) use self::refusal::{Refusal, Refusals, Render};
pub use self::rule::{Fault, FaultRule, Fraction, RoutePattern, When};

/// The rules in force and their counters, shared by the middleware, the
/// control endpoints and the in-process handle.
#[derive(Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<Active>>>,
}

/// A rule as it runs: its counters and, for fractions, its generator.
struct Active {
    rule: FaultRule,
    matched: u64,
    hits: u64,
    dice: StdRng,
}

/// A rule with how many requests it matched and how many of those it hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultStatus {
    #[serde(flatten)]
    pub rule: FaultRule,
    pub matched: u64,
    pub hits: u64,
}

impl Active {
    fn new(rule: FaultRule) -> Active {
        let dice = match rule.when {
            When::Fraction {
                seed: Some(seed), ..
            } => StdRng::seed_from_u64(seed),
            _ => StdRng::from_entropy(),
        };
        Active {
            rule,
            matched: 0,
            hits: 0,
            dice,
        }
    }

    fn hit(&mut self) -> bool {
        match self.rule.when {
            When::First { first } => self.matched <= first,
            When::Fraction { fraction, .. } => self.dice.gen_bool(fraction.get()),
        }
    }
}

impl Faults {
    pub(crate) fn new(rules: Vec<FaultRule>) -> Faults {
        let faults = Faults::default();
        faults.add(rules);
        faults
    }

    /// Replaces every rule; counters start from zero.
    pub fn set(&self, rules: Vec<FaultRule>) {
        *self.lock() = rules.into_iter().map(Active::new).collect();
    }

    /// Appends rules after the ones in force.
    pub fn add(&self, rules: Vec<FaultRule>) {
        self.lock().extend(rules.into_iter().map(Active::new));
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn status(&self) -> Vec<FaultStatus> {
        self.lock()
            .iter()
            .map(|a| FaultStatus {
                rule: a.rule.clone(),
                matched: a.matched,
                hits: a.hits,
            })
            .collect()
    }

    /// Rules are tried in order; every rule that applies counts the
    /// request as matched until one hits, and that one's fault is done.
    fn decide(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.lock();
        for active in rules.iter_mut() {
            if !active.rule.applies_to(method, path) {
                continue;
            }
            active.matched += 1;
            if active.hit() {
                active.hits += 1;
                return Some(active.rule.fault.clone());
            }
        }
        None
    }

    /// A panic elsewhere must not freeze fault injection.
    fn lock(&self) -> MutexGuard<'_, Vec<Active>> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The middleware in front of every product route; refused requests get
/// their product's body from `refusals`.
pub(crate) async fn inject(
    State((faults, refusals)): State<(Faults, Refusals)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let refuse =
        |refusal, retry_after| refusals.respond(path, request.headers(), refusal, retry_after);
    match faults.decide(request.method().as_str(), path) {
        None => next.run(request).await,
        Some(Fault::Throttle {
            retry_after_seconds,
        }) => refuse(Refusal::TooManyRequests, retry_after_seconds),
        Some(Fault::Unavailable {
            retry_after_seconds,
        }) => refuse(Refusal::Unavailable, retry_after_seconds),
        Some(Fault::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(Fault::Drop) => crate::serve::no_answer(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(value: serde_json::Value) -> FaultRule {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn first_n_hits_the_first_n_matches_only() {
        let faults = Faults::new(vec![rule(json!({
            "route": "/bc/**", "fault": {"kind": "drop"}, "when": {"first": 2}
        }))]);
        let hits: Vec<bool> = (0..4)
            .map(|_| faults.decide("GET", "/bc/environments/v1.2").is_some())
            .collect();
        assert_eq!(hits, [true, true, false, false]);
        assert!(faults.decide("GET", "/fno/x/data").is_none());
        let status = &faults.status()[0];
        assert_eq!((status.matched, status.hits), (4, 2));
    }

    #[test]
    fn a_later_rule_sees_what_earlier_ones_let_through() {
        let faults = Faults::new(vec![
            rule(json!({"route": "/bc/**", "fault": {"kind": "drop"}, "when": {"first": 1}})),
            rule(
                json!({"route": "/**", "fault": {"kind": "latency", "millis": 1}, "when": {"first": 1}}),
            ),
        ]);
        assert_eq!(faults.decide("GET", "/bc/a"), Some(Fault::Drop));
        assert_eq!(
            faults.decide("GET", "/bc/a"),
            Some(Fault::Latency { millis: 1 })
        );
        assert_eq!(faults.decide("GET", "/bc/a"), None);
        let counts: Vec<_> = faults
            .status()
            .iter()
            .map(|s| (s.matched, s.hits))
            .collect();
        assert_eq!(counts, [(3, 1), (2, 1)]);
    }

    #[test]
    fn the_status_lists_the_rule_with_its_counters() {
        let faults = Faults::default();
        faults.add(vec![rule(json!({
            "route": "/bc/**", "fault": {"kind": "throttle", "retry_after_seconds": 1}, "when": {"first": 1}
        }))]);
        faults.decide("GET", "/bc/x");
        assert_eq!(
            serde_json::to_value(faults.status()).unwrap(),
            json!([{"route": "/bc/**", "fault": {"kind": "throttle", "retry_after_seconds": 1},
                    "when": {"first": 1}, "matched": 1, "hits": 1}])
        );
        faults.clear();
        assert!(faults.status().is_empty());
    }
}
