//! The shell's security settings, reviewed by tests so a later change cannot
//! quietly widen them: the content security policy loads nothing remote,
//! the window may call our own commands and no plugin's, and the bundled
//! page references no remote asset.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::commands::names;

pub(crate) fn json(path: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every source a CSP directive may name: our own bundle, inline styles
/// (React's style attributes), data: images (the logo) and Tauri's IPC.
const LOCAL_SOURCES: [&str; 6] = [
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "data:",
    "ipc:",
    "http://ipc.localhost",
];

#[test]
fn the_content_security_policy_allows_nothing_remote() {
    let config = json("tauri.conf.json");
    let security = &config["app"]["security"];
    let csp = security["csp"].as_object().expect("a CSP is set");
    for directive in [
        "default-src",
        "script-src",
        "connect-src",
        "object-src",
        "base-uri",
        "form-action",
        "frame-src",
    ] {
        assert!(csp.contains_key(directive), "the CSP sets {directive}");
    }
    for (directive, sources) in csp {
        for source in sources
            .as_str()
            .expect("a CSP value is text")
            .split_whitespace()
        {
            assert!(
                LOCAL_SOURCES.contains(&source),
                "{directive} allows {source}: only local sources may be named"
            );
            assert!(
                directive == "style-src" || source != "'unsafe-inline'",
                "{directive} allows inline code"
            );
        }
    }
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["frame-src"], "'none'");
    assert_eq!(security["freezePrototype"], true);
    assert_eq!(config["app"]["withGlobalTauri"], false);
    assert!(
        security.get("dangerousRemoteDomainIpcAccess").is_none(),
        "no remote page may call the app"
    );
    // The window loads the bundle from disk, never from a server.
    assert!(config["build"].get("devUrl").is_none());
    assert_eq!(config["build"]["frontendDist"], "../ui/dist");
}

#[test]
fn the_window_may_call_our_commands_and_nothing_else() {
    let capabilities =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities"))
            .expect("a capabilities folder")
            .map(|entry| entry.expect("readable entry").path())
            .collect::<Vec<_>>();
    assert_eq!(
        capabilities.len(),
        1,
        "one capability file: {capabilities:?}"
    );
    let capability = json("capabilities/main.json");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none(),
        "no remote URL gets IPC access"
    );
    let granted: BTreeSet<&str> = capability["permissions"]
        .as_array()
        .expect("a permission list")
        .iter()
        .map(|p| p.as_str().expect("permissions are plain names (no scopes)"))
        .collect();
    let ours: BTreeSet<String> = names::ALL
        .iter()
        .map(|name| format!("allow-{}", name.replace('_', "-")))
        .collect();
    let ours: BTreeSet<&str> = ours.iter().map(String::as_str).collect();
    // No core:, fs:, shell:, http: or opener: permission: only our own.
    assert_eq!(granted, ours);
}

#[test]
fn the_bundled_page_loads_no_remote_asset() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    let index = std::fs::read_to_string(dist.join("index.html"))
        .expect("ui/dist/index.html (cd ui && npm run build)");
    let mut checked = 0;
    for attribute in ["src=\"", "href=\""] {
        for reference in index.split(attribute).skip(1) {
            let target = reference.split('"').next().unwrap_or_default();
            assert!(
                !target.contains("//") && !target.starts_with("data:"),
                "index.html loads {target}: only bundled files may be loaded"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "index.html references its script and style");
    for entry in std::fs::read_dir(dist.join("assets")).expect("ui/dist/assets") {
        let path = entry.expect("readable entry").path();
        if path.extension().is_some_and(|e| e == "css") {
            let css = std::fs::read_to_string(&path).expect("readable CSS");
            for remote in ["url(http", "url(//", "@import"] {
                assert!(!css.contains(remote), "{} uses {remote}", path.display());
            }
        }
    }
}
