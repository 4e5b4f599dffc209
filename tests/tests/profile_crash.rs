//! A saved connection survives the process being killed while it saves:
//! `d365c profile add` is killed at random moments, many times over, and
//! the profile on disk is always a whole one — the old or the new.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use d365_e2e::cli::Cli;
use serde_json::Value;

const ROUNDS: u32 = 150;

fn add(cli: &Cli, environment: &str) -> std::process::Command {
    cli.command(&[
        "profile",
        "add",
        "cronus",
        "--product",
        "bc",
        "--tenant",
        "contoso.onmicrosoft.com",
        "--client-id",
        "3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40",
        "--grant",
        "client-credentials",
        "--environment",
        environment,
    ])
    .unwrap()
}

#[test]
fn killing_a_save_never_leaves_a_broken_or_empty_profile() {
    let cli = Cli::headless("a-secret-value-for-the-test").unwrap();
    assert!(add(&cli, "Env0").output().unwrap().status.success());

    // How long a whole save takes here, to spread the kills over it.
    let started = Instant::now();
    assert!(add(&cli, "Env0").output().unwrap().status.success());
    let whole = started.elapsed();

    let mut killed_midway = 0;
    let mut seen = std::collections::BTreeSet::new();
    for round in 1..=ROUNDS {
        let mut child = add(&cli, &format!("Env{round}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A deterministic spread from 0 to 1.2 × a whole save.
        let delay = whole.mul_f64(f64::from(round % 25) / 20.0);
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() {
            killed_midway += 1;
        }

        let shown = cli.json(&["profile", "show", "cronus", "--json"]);
        let profile: Value = match shown {
            Ok(v) => v,
            Err(e) => panic!("round {round}: the profile is unreadable after a kill: {e}"),
        };
        let environment = profile["environment"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(environment.starts_with("Env"), "round {round}: {profile}");
        seen.insert(environment);
        let listed = cli.json(&["profile", "list", "--json"]).unwrap();
        assert_eq!(
            listed.as_array().map(Vec::len),
            Some(1),
            "round {round}: a half-written save shows as a connection: {listed}"
        );
    }
    // The kills did land at different moments: some saves were cut short,
    // some finished.
    assert!(killed_midway > 0, "no save was interrupted");
    assert!(seen.len() > 1, "no save ever finished: {seen:?}");
    eprintln!(
        "{ROUNDS} rounds, a save takes {:?}; {killed_midway} killed before finishing, {} distinct profiles seen",
        whole,
        seen.len()
    );
}
