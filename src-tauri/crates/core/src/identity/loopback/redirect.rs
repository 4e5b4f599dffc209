//! Judging one request to the loopback listener: is it this sign-in's
//! redirect, and what did it bring back?

use std::collections::HashMap;

use subtle::ConstantTimeEq;
use url::Url;

use super::page::{self, Reply};
use super::{Callback, LoopbackError};
use crate::identity::diagnose::EntraError;
use crate::secrets::Secret;

/// The redirect URI has no path; Entra then sends the browser to `/`
/// (docs/microsoft.md §1).
const REDIRECT_PATH: &str = "/";

/// What the listener needs to know about a request.
pub(super) struct Incoming<'a> {
    pub is_get: bool,
    /// The request target, e.g. `/?code=…&state=…`.
    pub target: &'a str,
    pub host: Option<&'a str>,
}

pub(super) enum Verdict {
    /// Not this sign-in's redirect: answer it and keep waiting, since it
    /// may come from any page the browser has open.
    Ignore(Reply),
    /// This sign-in's redirect and what it brought.
    Finish(Result<Callback, LoopbackError>),
}

pub(super) fn judge(request: &Incoming<'_>, port: u16, state: &Secret) -> Verdict {
    // A site that rebinds its own name to 127.0.0.1 arrives with its own
    // Host: only the two names of the redirect URI count.
    if !request.host.is_some_and(|host| is_ours(host, port)) {
        return Verdict::Ignore(page::rejected());
    }
    let Some(url) = parse_target(request.target) else {
        return Verdict::Ignore(page::rejected());
    };
    if url.path() != REDIRECT_PATH {
        return Verdict::Ignore(page::not_found());
    }
    if !request.is_get {
        return Verdict::Ignore(page::method_not_allowed());
    }
    let params = first_values(&url);
    // `state` ties the redirect to the sign-in this app started (RFC 6749
    // §10.12), errors included (§4.1.2.1): without it any page could feed
    // the app someone else's code, or end the sign-in.
    if !params.get("state").is_some_and(|s| is_expected(s, state)) {
        return Verdict::Ignore(page::rejected());
    }
    Verdict::Finish(outcome(&params))
}

fn is_ours(host: &str, port: u16) -> bool {
    host.eq_ignore_ascii_case(&format!("localhost:{port}")) || host == format!("127.0.0.1:{port}")
}

/// Origin-form targets only (`/path?query`).
fn parse_target(target: &str) -> Option<Url> {
    target
        .starts_with('/')
        .then(|| Url::parse(&format!("http://localhost{target}")).ok())
        .flatten()
}

/// Query parameters; a repeated name keeps its first value.
fn first_values(url: &Url) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (name, value) in url.query_pairs() {
        params
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    params
}

/// Constant-time, so response timings tell nothing about the state.
fn is_expected(received: &str, expected: &Secret) -> bool {
    !expected.expose().is_empty()
        && bool::from(received.as_bytes().ct_eq(expected.expose().as_bytes()))
}

fn outcome(params: &HashMap<String, String>) -> Result<Callback, LoopbackError> {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    // `error` first: a declined v2 admin consent also carries
    // `admin_consent=True` (docs/microsoft.md §4).
    if let Some(error) = get("error") {
        let mut entra = EntraError::from_redirect(error, get("error_description"));
        entra.error_uri = get("error_uri").map(str::to_string);
        return Err(LoopbackError::Entra(Box::new(entra)));
    }
    if let Some(code) = get("code") {
        return Ok(Callback::Code(Secret::new(code)));
    }
    let consented = get("admin_consent").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if let (true, Some(tenant)) = (consented, get("tenant")) {
        return Ok(Callback::AdminConsent {
            tenant: tenant.to_string(),
            scope: get("scope").map(str::to_string),
        });
    }
    let mut received: Vec<String> = params.keys().cloned().collect();
    received.sort();
    Err(LoopbackError::Incomplete { received })
}

#[cfg(test)]
mod fuzz;
