//! The licences of what D365 Connect bundles, for the About box: the Rust
//! crates linked into this binary and the npm packages built into its page.
//! The list is generated from `Cargo.lock` (through `cargo metadata`) and
//! `ui/package-lock.json` into `src-tauri/licences.json`, committed and
//! compiled in; a test regenerates it and fails when it drifts
//! (`licences/generate.rs`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[cfg(test)]
mod generate;

/// The committed list, for every desktop D365 Connect is built for.
const LIST: &str = include_str!("../licences.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Licences {
    /// Rust crates in the app's binary (normal dependencies, no build
    /// scripts' or proc-macros' own, nor D365 Connect's crates).
    pub rust: Vec<Bundled>,
    /// npm packages in the page (ui/package-lock.json without dev ones).
    pub npm: Vec<Bundled>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Bundled {
    pub name: String,
    pub version: String,
    /// An SPDX licence expression, such as `Apache-2.0 OR MIT`.
    pub licence: String,
    /// The operating systems (`std::env::consts::OS`) whose build bundles
    /// it; empty for all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(skip)]
    pub platforms: Vec<String>,
}

impl Licences {
    /// What this build bundles.
    pub fn bundled() -> Result<Self, serde_json::Error> {
        let mut all: Self = serde_json::from_str(LIST)?;
        all.rust.retain(|crate_| {
            crate_.platforms.is_empty()
                || crate_.platforms.iter().any(|os| os == std::env::consts::OS)
        });
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_build_lists_tauri_react_and_its_own_platform_only() {
        let licences = Licences::bundled().unwrap();
        let crates: Vec<&str> = licences.rust.iter().map(|c| c.name.as_str()).collect();
        let tauri = licences.rust.iter().find(|c| c.name == "tauri").unwrap();
        assert_eq!(tauri.licence, "Apache-2.0 OR MIT");
        assert!(licences.npm.iter().any(|p| p.name == "react"));
        assert!(
            !crates.contains(&"d365-core"),
            "our own crates are not listed"
        );
        if cfg!(target_os = "linux") {
            assert!(crates.contains(&"webkit2gtk"));
            assert!(!crates.contains(&"webview2-com"));
        }
    }
}
