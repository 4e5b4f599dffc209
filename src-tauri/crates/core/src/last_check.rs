//! When each saved connection was last checked, and how it came out, for
//! the start page. Kept beside the profiles (`checks/<name>.json`), not in
//! them: a check never rewrites what the admin saved.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checks::fleet::Verdict;
use crate::checks::Status;
use crate::profiles::ProfileStore;
use crate::report::Report;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LastCheck {
    /// When the checks ran (RFC 3339, UTC).
    pub at: String,
    pub verdict: Verdict,
    pub passed: u32,
    pub warnings: u32,
    pub failed: u32,
    pub skipped: u32,
}

impl LastCheck {
    pub fn of(report: &Report) -> Self {
        let count = |status| {
            let n = report.results.iter().filter(|r| r.status == status).count();
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        Self {
            at: report.generated.clone(),
            verdict: Verdict::of(&report.results),
            passed: count(Status::Pass),
            warnings: count(Status::Warn),
            failed: count(Status::Fail),
            skipped: count(Status::Skip),
        }
    }
}

/// Keeps how a check of the saved connection `name` came out, in the
/// default profiles folder. A check does not fail for want of its status
/// line, so a problem writing it is dropped.
pub fn note(name: &str, report: &Report) {
    if let Ok(store) = ProfileStore::open_default() {
        let _ = store.record_check(name, &LastCheck::of(report));
    }
}
