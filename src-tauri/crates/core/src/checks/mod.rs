//! "Does it work?": ordered checks of a saved connection, from "the tenant
//! exists" to "a row can be read", each with a plain result and what to do.
//! A check whose prerequisite failed is skipped, saying why; a check that
//! does not apply to the product or grant is left out.

mod data;
pub mod fleet;
mod registration;

use std::future::{ready, Future};
use std::time::Instant;

use schemars::JsonSchema;
use serde::Serialize;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::connection::Connection;
use crate::problem::{Explain, Setting, UserError};
use crate::profiles::{ClientType, Grant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, JsonSchema)]
#[ts(export)]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, JsonSchema)]
#[ts(export)]
pub struct CheckResult {
    /// Stable identifier: tenant, client-id, secret, secret-expiry, app,
    /// redirect-uri, token, consent, verdict, environments, companies,
    /// in-product, read, read-<entity set>, headroom. A check that does not apply to the
    /// product or sign-in is left out.
    pub id: String,
    /// What was checked, in plain words.
    pub title: String,
    pub status: Status,
    /// What was found, in plain words.
    pub detail: String,
    /// What to do, when something is wrong.
    pub fix: Option<String>,
    /// The service's own words, for support.
    pub details: Option<String>,
    /// The connection setting `fix` asks to change, when it is one.
    pub setting: Option<Setting>,
    /// How long the check took.
    #[ts(type = "number")]
    pub millis: u64,
}

/// What a check found.
struct Found {
    status: Status,
    detail: String,
    fix: Option<String>,
    details: Option<String>,
    setting: Option<Setting>,
}

impl Found {
    fn pass(detail: impl Into<String>) -> Self {
        Self {
            status: Status::Pass,
            detail: detail.into(),
            fix: None,
            details: None,
            setting: None,
        }
    }

    fn warn(detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            status: Status::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
            details: None,
            setting: None,
        }
    }

    fn skip(detail: impl Into<String>) -> Self {
        Self {
            status: Status::Skip,
            detail: detail.into(),
            fix: None,
            details: None,
            setting: None,
        }
    }

    /// Names the setting the fix is about.
    fn at(mut self, setting: Setting) -> Self {
        self.setting = Some(setting);
        self
    }

    fn fail(error: UserError) -> Self {
        Self {
            status: Status::Fail,
            detail: error.message,
            fix: Some(error.fix),
            details: error.details,
            setting: error.setting,
        }
    }
}

struct Runner<'a> {
    results: Vec<CheckResult>,
    on_result: &'a (dyn Fn(&CheckResult) + Send + Sync),
    /// Why every check from here on is skipped, once one has failed that
    /// the rest depend on.
    blocked: Option<String>,
}

impl Runner<'_> {
    /// Runs `work` unless an earlier failure blocked the rest (then `work`
    /// is never polled, so nothing is sent).
    async fn check(
        &mut self,
        id: &str,
        title: String,
        work: impl Future<Output = Found>,
    ) -> Status {
        let started = Instant::now();
        let found = match &self.blocked {
            Some(because) => Found::skip(format!("Not checked because {because}.")),
            None => work.await,
        };
        let result = CheckResult {
            id: id.into(),
            title,
            status: found.status,
            detail: found.detail,
            fix: found.fix,
            details: found.details,
            setting: found.setting,
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        (self.on_result)(&result);
        self.results.push(result);
        found.status
    }

    /// Runs a check the rest depend on: when it fails, every later check is
    /// skipped `because`.
    async fn gate(
        &mut self,
        id: &str,
        title: String,
        because: &str,
        work: impl Future<Output = Found>,
    ) -> Status {
        let status = self.check(id, title, work).await;
        self.needed(status, because);
        status
    }

    /// Skips every later check when `status` is a failure.
    fn needed(&mut self, status: Status, because: &str) {
        if status == Status::Fail && self.blocked.is_none() {
            self.blocked = Some(because.to_string());
        }
    }
}

/// Runs every check in order; `on_result` sees each as it finishes.
pub async fn run(
    connection: &Connection,
    cancel: &CancellationToken,
    on_result: &(dyn Fn(&CheckResult) + Send + Sync),
) -> Vec<CheckResult> {
    let profile = connection.profile();
    let product = profile.product.display_name();
    let mut r = Runner {
        results: vec![],
        on_result,
        blocked: None,
    };

    r.gate(
        "tenant",
        format!("The tenant '{}' exists", profile.tenant),
        "the tenant was not found",
        registration::tenant(connection),
    )
    .await;
    r.gate(
        "client-id",
        "The client ID is an app's Application (client) ID".into(),
        "the client ID cannot be used",
        ready(registration::client_id(profile)),
    )
    .await;
    // A public client has no secret: Entra's sign-in page is its only test.
    if profile.client_type() == ClientType::Confidential {
        r.gate(
            "secret",
            "The client secret is a secret's Value".into(),
            "the client secret cannot be used",
            ready(registration::secret_shape(connection.secret())),
        )
        .await;
        // Not a gate: the date is what the admin saved; Entra's answer in
        // the next check is the proof.
        r.check(
            "secret-expiry",
            "The client secret is not about to expire".into(),
            ready(registration::secret_expiry(
                profile.secret.as_ref(),
                OffsetDateTime::now_utc(),
            )),
        )
        .await;
        r.gate(
            "app",
            "The app exists in the tenant and its secret is valid".into(),
            "Microsoft Entra refused the app",
            registration::app_and_secret(connection),
        )
        .await;
    }
    if profile.grant() == Grant::Delegated {
        r.gate(
            "redirect-uri",
            "The app's redirect URI allows signing in here".into(),
            "Microsoft Entra would not start a sign-in",
            registration::redirect_uri(connection),
        )
        .await;
    }

    let mut token = None;
    let status = r
        .check(
            "token",
            format!("D365 Connect gets a token for {product}"),
            async {
                match connection.token_info().await {
                    Ok(info) => {
                        token = Some(Ok(info));
                        Found::pass("Microsoft Entra issued an access token.")
                    }
                    Err(e) => {
                        let e = e.explain();
                        token = Some(Err(e.clone()));
                        Found::fail(e)
                    }
                }
            },
        )
        .await;
    r.check(
        "consent",
        format!("Consent is granted for {product}'s permissions"),
        ready(registration::consent(profile, token.as_ref())),
    )
    .await;
    r.needed(status, "there is no token");
    if let Some(Ok(info)) = &token {
        r.check(
            "verdict",
            format!("The token can call {product}"),
            ready(registration::verdict(info)),
        )
        .await;
    }

    data::run(connection, cancel, &mut r).await;
    r.results
}
