//! Waiting out Microsoft Entra's replication: an object created a moment
//! ago can be missing from the next read for seconds, sometimes minutes
//! (docs/microsoft.md §9, "Errors and replication"). Microsoft's own tools
//! retry every 2–5 s; here the waits double from 1 s up to 32 s, about
//! two minutes in all, and every wait is reported.

use std::future::Future;
use std::time::Duration;

use crate::setup::progress::{report, OnSetupEvent, SetupStep, StepState};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patience {
    delays: Vec<Duration>,
}

impl Default for Patience {
    fn default() -> Self {
        Self::doubling(Duration::from_secs(1), Duration::from_secs(32), 8)
    }
}

impl Patience {
    /// `tries` waits starting at `first`, doubling up to `cap`.
    pub fn doubling(first: Duration, cap: Duration, tries: usize) -> Self {
        let delays = std::iter::successors(Some(first), |d| Some((*d * 2).min(cap)))
            .take(tries)
            .collect();
        Self { delays }
    }

    /// The total time waited before giving up.
    pub fn budget(&self) -> Duration {
        self.delays.iter().sum()
    }

    /// Runs `attempt` until it succeeds, fails for another reason than
    /// `is_delay`, or patience runs out (then the last error is returned).
    pub async fn wait_out<T, E, F, Fut>(
        &self,
        step: SetupStep,
        on_event: OnSetupEvent<'_>,
        is_delay: impl Fn(&E) -> bool,
        mut attempt: F,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut waits = self.delays.iter();
        loop {
            match attempt().await {
                Err(e) if is_delay(&e) => {
                    let Some(delay) = waits.next() else {
                        return Err(e);
                    };
                    report(
                        on_event,
                        step,
                        StepState::Waiting,
                        format!(
                            "Microsoft Entra is still copying the change to all its servers; trying again in {} s.",
                            delay.as_secs_f32().ceil()
                        ),
                    );
                    tokio::time::sleep(*delay).await;
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let p = Patience::default();
        assert_eq!(
            p.budget(),
            Duration::from_secs(1 + 2 + 4 + 8 + 16 + 32 + 32 + 32)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retries_only_the_delay_and_reports_each_wait() {
        let events = Mutex::new(Vec::new());
        let on_event = |e| events.lock().unwrap().push(e);
        let tries = AtomicU32::new(0);
        let p = Patience::doubling(Duration::from_secs(1), Duration::from_secs(4), 5);
        let result: Result<u32, &str> = p
            .wait_out(
                SetupStep::ServicePrincipal,
                &on_event,
                |e| *e == "lag",
                || async {
                    match tries.fetch_add(1, Ordering::SeqCst) {
                        0 | 1 => Err("lag"),
                        n => Ok(n),
                    }
                },
            )
            .await;
        assert_eq!(result, Ok(2));
        assert_eq!(events.lock().unwrap().len(), 2);

        let other: Result<(), &str> = p
            .wait_out(
                SetupStep::Secret,
                &on_event,
                |e| *e == "lag",
                || async { Err("denied") },
            )
            .await;
        assert_eq!(other, Err("denied"));
        assert_eq!(
            events.lock().unwrap().len(),
            2,
            "no wait for a real refusal"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_with_the_last_error_when_patience_runs_out() {
        let on_event = |_| {};
        let p = Patience::doubling(Duration::from_secs(1), Duration::from_secs(1), 3);
        let tries = AtomicU32::new(0);
        let result: Result<(), &str> = p
            .wait_out(
                SetupStep::Consent,
                &on_event,
                |_| true,
                || async {
                    tries.fetch_add(1, Ordering::SeqCst);
                    Err("lag")
                },
            )
            .await;
        assert_eq!(result, Err("lag"));
        assert_eq!(tries.load(Ordering::SeqCst), 4);
    }
}
