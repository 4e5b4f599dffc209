//! A delegated sign-in from start to token: the loopback listener bound
//! first, the system browser opened at the authorize URL, the redirect
//! awaited, the code redeemed; and admin consent through the same path.
//! Each stage is reported so the UI can show live progress.

use serde::Serialize;
use ts_rs::TS;

/// Where a sign-in is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum SignInStage {
    /// The listener is ready for Microsoft's redirect.
    Listening,
    /// The browser shows Microsoft's page.
    BrowserOpened,
    /// No browser could be opened: the user opens `url` by hand.
    BrowserUnavailable,
    /// Microsoft sent the browser back with a code (or consent).
    CodeReceived,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SignInEvent {
    pub stage: SignInStage,
    /// The sign-in link, when the user may need to open it themselves.
    pub url: Option<String>,
}
