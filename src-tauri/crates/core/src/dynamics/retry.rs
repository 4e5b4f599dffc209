//! The retry policy every Dynamics call shares. 429 and 503 are the service
//! asking us to slow down: wait what `Retry-After` says (docs/microsoft.md
//! §5 for BC 502/503, §6 F&O and §7 Dataverse 429). Other transient failures
//! (502, 504, a dropped connection, a timeout) back off exponentially with
//! jitter so many clients do not retry in lockstep. Always bounded.

use std::future::Future;
use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retry 502, 504, dropped connections and timeouts too (SmartConnect's
    /// "Allow Retry of Failed Requests"). Throttling is always honoured.
    pub retry_failed: bool,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` we sit through; asked for longer, we stop
    /// and tell the user when to try again.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retry_failed: true,
            max_attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(5 * 60),
        }
    }
}

/// Why an attempt may be worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 429 or 503, with the wait the service asked for.
    Throttled {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// 502, 504, a dropped connection or a timeout.
    Transient,
}

impl Failure {
    /// Classifies a response status; `None` when retrying cannot help.
    pub fn from_response(status: StatusCode, headers: &HeaderMap) -> Option<Failure> {
        match status.as_u16() {
            429 | 503 => Some(Failure::Throttled {
                status: status.as_u16(),
                retry_after: retry_after(headers, SystemTime::now()),
            }),
            502 | 504 => Some(Failure::Transient),
            _ => None,
        }
    }

    /// Network errors worth another try: the request may not have reached
    /// the service, or its answer was lost on the way.
    pub fn from_network(error: &reqwest::Error) -> Option<Failure> {
        (error.is_connect() || error.is_timeout() || error.is_request() || error.is_body())
            .then_some(Failure::Transient)
    }
}

/// A wait the user may want to see ("Business Central asked us to wait 12 s").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// The attempt that failed, from 1.
    pub attempt: u32,
    pub delay: Duration,
    pub failure: Failure,
}

/// What one attempt says about itself.
pub enum Verdict<E> {
    Retry(Failure, E),
    Fail(E),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Stop<E> {
    /// The last attempt's error (retries exhausted, or not retryable).
    Failed(E),
    Cancelled,
}

impl RetryPolicy {
    /// The wait before the attempt after `attempt` (from 1), or `None` to stop.
    pub fn delay(&self, attempt: u32, failure: Failure) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match failure {
            Failure::Throttled {
                retry_after: Some(asked),
                ..
            } => (asked <= self.max_retry_after).then_some(asked),
            Failure::Throttled {
                retry_after: None, ..
            } => Some(self.backoff(attempt)),
            Failure::Transient => self.retry_failed.then(|| self.backoff(attempt)),
        }
    }

    /// "Equal jitter": half the exponential step fixed, half random, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max_delay);
        let half = step / 2;
        half + half.mul_f64(rand::thread_rng().gen::<f64>())
    }

    /// Runs `attempt` until it succeeds, fails for good, runs out of
    /// attempts, or `cancel` fires (also during a wait).
    pub async fn run<T, E, F, Fut>(
        &self,
        cancel: &CancellationToken,
        mut on_wait: impl FnMut(Wait),
        mut attempt: F,
    ) -> Result<T, Stop<E>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Verdict<E>>>,
    {
        let mut number = 1;
        loop {
            let outcome = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Stop::Cancelled),
                outcome = attempt() => outcome,
            };
            let (failure, error) = match outcome {
                Ok(value) => return Ok(value),
                Err(Verdict::Fail(error)) => return Err(Stop::Failed(error)),
                Err(Verdict::Retry(failure, error)) => (failure, error),
            };
            let Some(delay) = self.delay(number, failure) else {
                return Err(Stop::Failed(error));
            };
            on_wait(Wait {
                attempt: number,
                delay,
                failure,
            });
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Stop::Cancelled),
                () = tokio::time::sleep(delay) => {}
            }
            number += 1;
        }
    }
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        h
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn retry_after_as_seconds_or_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(
            retry_after(&headers("12"), now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2015 07:28:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn the_service_decides_the_wait_when_it_says() {
        let p = RetryPolicy::default();
        let throttled = |secs| Failure::Throttled {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(p.delay(1, throttled(7)), Some(Duration::from_secs(7)));
        assert_eq!(p.delay(1, throttled(3600)), None, "too long: tell the user");
        assert_eq!(p.delay(p.max_attempts, throttled(1)), None, "bounded");
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let p = RetryPolicy::default();
        for attempt in 1..6 {
            let d = p.delay(attempt, Failure::Transient).unwrap();
            let step = Duration::from_millis(500 * (1 << (attempt - 1)));
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
        assert!(p.delay(7, Failure::Transient).unwrap() <= p.max_delay);
        let no_retry = RetryPolicy {
            retry_failed: false,
            ..p
        };
        assert_eq!(no_retry.delay(1, Failure::Transient), None);
    }

    #[test]
    fn statuses_are_classified() {
        let h = headers("2");
        assert_eq!(
            Failure::from_response(StatusCode::TOO_MANY_REQUESTS, &h),
            Some(Failure::Throttled {
                status: 429,
                retry_after: Some(Duration::from_secs(2))
            })
        );
        assert!(matches!(
            Failure::from_response(StatusCode::SERVICE_UNAVAILABLE, &HeaderMap::new()),
            Some(Failure::Throttled {
                status: 503,
                retry_after: None
            })
        ));
        assert_eq!(
            Failure::from_response(StatusCode::GATEWAY_TIMEOUT, &h),
            Some(Failure::Transient)
        );
        assert_eq!(Failure::from_response(StatusCode::BAD_REQUEST, &h), None);
        assert_eq!(Failure::from_response(StatusCode::UNAUTHORIZED, &h), None);
    }

    #[tokio::test]
    async fn run_retries_until_success_and_reports_each_wait() {
        let calls = AtomicU32::new(0);
        let mut waits = vec![];
        let result: Result<u32, Stop<&str>> = fast()
            .run(
                &CancellationToken::new(),
                |w| waits.push(w),
                || async {
                    match calls.fetch_add(1, Ordering::SeqCst) {
                        0 => Err(Verdict::Retry(Failure::Transient, "reset")),
                        1 => Err(Verdict::Retry(
                            Failure::Throttled {
                                status: 429,
                                retry_after: Some(Duration::ZERO),
                            },
                            "slow down",
                        )),
                        n => Ok(n),
                    }
                },
            )
            .await;
        assert_eq!(result, Ok(2));
        assert_eq!(waits.len(), 2);
        assert_eq!(waits[1].attempt, 2);
    }

    #[tokio::test]
    async fn run_gives_up_with_the_last_error() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..fast()
        };
        let calls = AtomicU32::new(0);
        let result: Result<(), Stop<u32>> = policy
            .run(
                &CancellationToken::new(),
                |_| {},
                || async {
                    Err(Verdict::Retry(
                        Failure::Transient,
                        calls.fetch_add(1, Ordering::SeqCst),
                    ))
                },
            )
            .await;
        assert_eq!(result, Err(Stop::Failed(2)));
        let fatal: Result<(), Stop<&str>> = policy
            .run(
                &CancellationToken::new(),
                |_| {},
                || async { Err(Verdict::Fail("400")) },
            )
            .await;
        assert_eq!(fatal, Err(Stop::Failed("400")));
    }

    #[tokio::test]
    async fn cancel_interrupts_a_long_wait() {
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            trigger.cancel();
        });
        let started = std::time::Instant::now();
        let result: Result<(), Stop<()>> = RetryPolicy::default()
            .run(
                &cancel,
                |_| {},
                || async {
                    Err(Verdict::Retry(
                        Failure::Throttled {
                            status: 429,
                            retry_after: Some(Duration::from_secs(120)),
                        },
                        (),
                    ))
                },
            )
            .await;
        assert_eq!(result, Err(Stop::Cancelled));
        assert!(started.elapsed() < Duration::from_secs(60));
    }
}
