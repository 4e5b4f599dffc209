//! Where an Entra flow answers: the validated redirect URI, the request's
//! `state` and its response mode. Kept below the store, which remembers it
//! for a sign-in in progress; Entra sends the answer (`entra/mod.rs`).

/// How the authorize endpoint answers the redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    /// The three modes of the discovery document; `query` is the default
    /// for `response_type=code`.
    pub fn parse(value: Option<&str>) -> ResponseMode {
        match value {
            Some("fragment") => ResponseMode::Fragment,
            Some("form_post") => ResponseMode::FormPost,
            _ => ResponseMode::Query,
        }
    }
}

/// A validated redirect URI to answer on, with the request's `state`.
#[derive(Debug, Clone)]
pub struct ReplyTo {
    pub uri: String,
    pub state: Option<String>,
    pub mode: ResponseMode,
}
