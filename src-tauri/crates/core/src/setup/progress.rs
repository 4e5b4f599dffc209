//! What setup reports while it works, one line per step, so the window and
//! `d365c setup` can show progress (and the wait for Entra's replication).

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum SetupStep {
    /// The signed-in person holds a role that may register and consent.
    CheckRole,
    /// The product's API is found in the tenant, with its permission IDs.
    FindProduct,
    /// The app registration is created, or found and completed.
    Register,
    /// Its enterprise application (service principal) exists.
    ServicePrincipal,
    /// A client secret is made and kept in the keychain.
    Secret,
    /// Tenant-wide consent to its permissions.
    Consent,
    /// The product's own side: application user, Entra applications page.
    ProductSide,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum StepState {
    Started,
    /// Microsoft has not caught up with a change yet; trying again.
    Waiting,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SetupEvent {
    pub step: SetupStep,
    pub state: StepState,
    /// Plain words: what was found or made, or why it waits.
    pub detail: String,
}

pub type OnSetupEvent<'a> = &'a (dyn Fn(SetupEvent) + Send + Sync);

pub(crate) fn report(
    on_event: OnSetupEvent<'_>,
    step: SetupStep,
    state: StepState,
    detail: impl Into<String>,
) {
    on_event(SetupEvent {
        step,
        state,
        detail: detail.into(),
    });
}
