//! Makes `src-tauri/licences.json` from the lockfiles, offline, and fails
//! when the committed one differs (after writing the fresh one, to review
//! and commit). Refresh it with `cargo test -p d365-connect licences`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use cargo_metadata::{DependencyKind, Metadata, MetadataCommand, Package, PackageId};

use super::{Bundled, Licences};

/// Each desktop a release is built for (.github/workflows/release.yml),
/// with the name `std::env::consts::OS` gives it.
const TARGETS: [(&str, &str); 4] = [
    ("linux", "x86_64-unknown-linux-gnu"),
    ("macos", "aarch64-apple-darwin"),
    ("macos", "x86_64-apple-darwin"),
    ("windows", "x86_64-pc-windows-msvc"),
];

const APP: &str = "d365-connect";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The crates linked into the app built for `triple`: its dependency graph
/// over normal dependencies, without proc-macros (they run in the compiler)
/// and without the workspace's own crates.
fn linked(triple: &str) -> Vec<Package> {
    let metadata: Metadata = MetadataCommand::new()
        .manifest_path(root().join("Cargo.toml"))
        .other_options(vec![
            "--offline".into(),
            "--filter-platform".into(),
            triple.into(),
        ])
        .exec()
        .unwrap();
    let packages: HashMap<&PackageId, &Package> =
        metadata.packages.iter().map(|p| (&p.id, p)).collect();
    let nodes: HashMap<&PackageId, _> = metadata
        .resolve
        .as_ref()
        .unwrap()
        .nodes
        .iter()
        .map(|n| (&n.id, n))
        .collect();
    let app = metadata.packages.iter().find(|p| p.name == APP).unwrap();
    let mut seen = BTreeSet::new();
    let mut to_visit = vec![&app.id];
    while let Some(id) = to_visit.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in &nodes[id].deps {
            let normal = dep
                .dep_kinds
                .iter()
                .any(|k| k.kind == DependencyKind::Normal);
            let runs_in_compiler = packages[&dep.pkg].targets.iter().any(|t| t.is_proc_macro());
            if normal && !runs_in_compiler {
                to_visit.push(&dep.pkg);
            }
        }
    }
    seen.into_iter()
        .map(|id| packages[id].clone())
        .filter(|p| p.source.is_some())
        .collect()
}

/// `MIT/Apache-2.0`, Cargo's old way of writing a choice, as SPDX says it.
fn spdx(licence: &str) -> String {
    licence
        .split('/')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn rust() -> Vec<Bundled> {
    let mut crates: BTreeMap<(String, String), (String, BTreeSet<&str>)> = BTreeMap::new();
    for (os, triple) in TARGETS {
        for package in linked(triple) {
            let licence =
                package.license.as_deref().map(spdx).unwrap_or_else(|| {
                    panic!("{} {} names no licence", package.name, package.version)
                });
            crates
                .entry((package.name, package.version.to_string()))
                .or_insert((licence, BTreeSet::new()))
                .1
                .insert(os);
        }
    }
    let everywhere: BTreeSet<&str> = TARGETS.iter().map(|(os, _)| *os).collect();
    crates
        .into_iter()
        .map(|((name, version), (licence, oses))| Bundled {
            name,
            version,
            licence,
            platforms: if oses == everywhere {
                vec![]
            } else {
                oses.into_iter().map(str::to_string).collect()
            },
        })
        .collect()
}

/// The lockfile's packages that are not only for development.
fn npm() -> Vec<Bundled> {
    let lock = std::fs::read_to_string(root().join("../ui/package-lock.json")).unwrap();
    let lock: serde_json::Value = serde_json::from_str(&lock).unwrap();
    let mut packages: Vec<Bundled> = lock["packages"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, entry)| !path.is_empty() && entry["dev"] != true)
        .map(|(path, entry)| Bundled {
            name: path.rsplit("node_modules/").next().unwrap().to_string(),
            version: entry["version"].as_str().unwrap().to_string(),
            licence: spdx(
                entry["license"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{path} names no licence")),
            ),
            platforms: vec![],
        })
        .collect();
    packages.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    packages
}

#[test]
fn licences_json_matches_the_lockfiles() {
    let fresh = Licences {
        rust: rust(),
        npm: npm(),
    };
    let text = serde_json::to_string_pretty(&fresh).unwrap() + "\n";
    if text != super::LIST {
        std::fs::write(root().join("licences.json"), &text).unwrap();
        panic!(
            "src-tauri/licences.json did not match Cargo.lock and ui/package-lock.json. It has \
             been refreshed: review it and commit it (or run `cargo test -p d365-connect \
             licences` to refresh it again)."
        );
    }
}

#[test]
fn old_style_licences_become_spdx() {
    assert_eq!(spdx("MIT/Apache-2.0"), "MIT OR Apache-2.0");
    assert_eq!(spdx("Apache-2.0 / MIT"), "Apache-2.0 OR MIT");
    assert_eq!(
        spdx("(MIT OR Apache-2.0) AND Unicode-3.0"),
        "(MIT OR Apache-2.0) AND Unicode-3.0"
    );
}
