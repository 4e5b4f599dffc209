//! `d365c` as a script runs it, against the in-process sandbox tenant, with
//! its own config folder and the secret from the environment.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use d365_sandbox::world::World;
use d365_sandbox::{Sandbox, SandboxHandle};
use serde_json::Value;

struct Cli {
    home: tempfile::TempDir,
    secret: String,
}

impl Cli {
    fn new(secret: &str) -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            secret: secret.into(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_d365c"))
            .args(args)
            .env("XDG_CONFIG_HOME", self.home.path())
            .env("HOME", self.home.path())
            .env("D365C_CLIENT_SECRET", &self.secret)
            // No desktop session: the keychain is unavailable, as on a server.
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

async fn demo() -> SandboxHandle {
    Sandbox::start(World::demo()).await.unwrap()
}

/// `profile add` for the demo tenant's BC Production environment through
/// the sandbox's endpoints, with the app's own arguments.
fn profile_args(s: &SandboxHandle, name: &str, app: &[&str]) -> Vec<String> {
    let e = s.endpoints();
    let mut args: Vec<String> = [
        "profile",
        "add",
        name,
        "--product",
        "bc",
        "--tenant",
        &e.demo.tenant_id,
        "--environment",
        "Production",
        "--cloud",
        "custom",
        "--authority",
        &e.authority,
        "--bc-api",
        &e.bc_api,
        "--globaldisco",
        &e.globaldisco,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(app.iter().map(|s| s.to_string()));
    args
}

/// The demo tenant's confidential app as a background service.
fn add_args(s: &SandboxHandle, name: &str, extra: &[&str]) -> Vec<String> {
    let client_id = s.endpoints().demo.client_id.unwrap();
    let mut app = vec!["--client-id", &client_id, "--grant", "client-credentials"];
    app.extend_from_slice(extra);
    profile_args(s, name, &app)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consultant_lists_queries_and_exports_business_central_from_a_script() {
    let s = demo().await;
    let cli = Cli::new(s.endpoints().demo.client_secret.as_deref().unwrap());
    assert!(cli
        .run(&strs(&add_args(&s, "cronus", &[])))
        .status
        .success());

    let environments = cli.json(&["environments", "cronus", "--json"]);
    assert_eq!(environments[0]["id"], "Production");
    let companies = cli.json(&["companies", "cronus", "--json"]);
    let company = companies[0]["id"].as_str().unwrap().to_string();

    // Without a company, BC queries say how to pick one.
    let out = cli.run(&["query", "cronus", "customers"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("d365c companies cronus"));

    assert!(cli
        .run(&strs(&add_args(&s, "cronus", &["--company", &company])))
        .status
        .success());
    let rows = cli.json(&[
        "query",
        "cronus",
        "customers",
        "--select",
        "number,displayName",
        "--top",
        "3",
        "--count",
        "--json",
    ]);
    assert_eq!(rows["rows"].as_array().unwrap().len(), 3);
    assert_eq!(rows["count"], 2_500);

    let out_file = cli.home.path().join("customers.csv");
    let summary = cli.json(&[
        "export",
        "cronus",
        "customers",
        "--format",
        "csv",
        "--out",
        out_file.to_str().unwrap(),
        "--page-size",
        "1000",
        "--json",
    ]);
    assert_eq!(summary["rows"], 2_500);
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(text.lines().count(), 2_501);

    let token = cli.json(&["token", "cronus", "--json"]);
    assert_eq!(token["verdict"]["usable"], true, "{token}");
    assert_eq!(
        token["claims"]["aud"],
        "https://api.businesscentral.dynamics.com"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_exits_with_the_sign_in_code_and_the_fix() {
    let s = demo().await;
    let cli = Cli::new("not-the-value");
    assert!(cli
        .run(&strs(&add_args(&s, "cronus", &[])))
        .status
        .success());
    let out = cli.run(&["environments", "cronus"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("What to do:") && stderr.contains("Value"),
        "{stderr}"
    );
    let json = cli.run(&["environments", "cronus", "--json"]);
    let body: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(body["error"]["kind"], "InvalidSecret");
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_never_hold_the_secret_and_bad_input_is_a_usage_error() {
    let s = demo().await;
    let secret = s.endpoints().demo.client_secret.unwrap();
    let cli = Cli::new(&secret);
    assert!(cli
        .run(&strs(&add_args(&s, "cronus", &[])))
        .status
        .success());
    let shown = cli.run(&["profile", "show", "cronus"]);
    assert!(shown.status.success());
    for entry in walk(cli.home.path()) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains(&secret),
            "secret written to {}",
            entry.display()
        );
    }
    let listed = cli.json(&["profile", "list", "--json"]);
    assert_eq!(listed[0]["name"], "cronus");

    let bad = cli.run(&[
        "profile",
        "add",
        "x",
        "--product",
        "bc",
        "--tenant",
        "common",
        "--client-id",
        "nope",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let removed = cli.run(&["profile", "remove", "cronus"]);
    assert!(removed.status.success());
    assert_eq!(
        cli.run(&["profile", "show", "cronus"]).status.code(),
        Some(2)
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn check_writes_the_report_and_exits_one_when_a_check_fails() {
    let s = demo().await;
    let cli = Cli::new(s.endpoints().demo.client_secret.as_deref().unwrap());
    assert!(cli
        .run(&strs(&add_args(&s, "cronus", &[])))
        .status
        .success());
    let report = cli.home.path().join("report.html");
    let out = cli.run(&["check", "cronus", "--report", report.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("PASS  The tenant"));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("All checks passed."));

    let mut world = World::demo();
    world.apps[0].registered_in_product.clear();
    let unregistered = Sandbox::start(world).await.unwrap();
    let cli = Cli::new(
        unregistered
            .endpoints()
            .demo
            .client_secret
            .as_deref()
            .unwrap(),
    );
    assert!(cli
        .run(&strs(&add_args(&unregistered, "cronus", &[])))
        .status
        .success());
    let out = cli.run(&["check", "cronus", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["passed"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn entities_are_listed_and_searchable() {
    let s = demo().await;
    let cli = Cli::new(s.endpoints().demo.client_secret.as_deref().unwrap());
    assert!(cli
        .run(&strs(&add_args(&s, "cronus", &[])))
        .status
        .success());
    let all = cli.json(&["entities", "cronus", "--json"]);
    assert!(all.as_array().unwrap().len() >= 12);
    let found = cli.json(&["entities", "cronus", "--search", "sales", "--json"]);
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"salesInvoices") && names.contains(&"salesOrders"),
        "{names:?}"
    );
    assert!(!names.contains(&"customers"));
}

/// The demo tenant's desktop app (delegated, no secret).
fn add_delegated_args(s: &SandboxHandle, name: &str) -> Vec<String> {
    let client_id = s.endpoints().demo.public_client_id.unwrap();
    profile_args(s, name, &["--client-id", &client_id, "--public-client"])
}

#[tokio::test(flavor = "multi_thread")]
async fn login_without_a_browser_prints_the_link_a_person_opens() {
    use std::io::{BufRead, BufReader};
    let s = demo().await;
    let cli = Cli::new("");
    assert!(cli
        .run(&strs(&add_delegated_args(&s, "me")))
        .status
        .success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_d365c"))
        .args(["login", "me", "--no-browser"])
        .env("XDG_CONFIG_HOME", cli.home.path())
        .env("HOME", cli.home.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read stderr to the end on a thread (a closed pipe would kill d365c at
    // its next message), handing over the link as soon as it shows.
    let stderr = child.stderr.take().unwrap();
    let (found, link) = tokio::sync::oneshot::channel();
    let reader = std::thread::spawn(move || {
        let mut found = Some(found);
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.trim().starts_with("http") {
                if let Some(found) = found.take() {
                    let _ = found.send(line.trim().to_string());
                }
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let link = link.await.unwrap();
    // The person: opens the link, signs in, accepts.
    let visit = d365_sandbox::robot::visit(&link, &d365_sandbox::robot::Persona::demo())
        .await
        .unwrap();
    assert!(visit.reached_the_app(), "{visit}");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = reader.join().unwrap();
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Signed in."));
    // The refresh token lives in memory only on this keychain-less machine,
    // so a new run must sign in again: it says so with the sign-in code.
    let token = cli.run(&["token", "me"]);
    assert_eq!(
        token.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn d365c_sandbox_prints_the_same_start_line_and_serves() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_d365c"))
        .args(["sandbox", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let start: Value = serde_json::from_str(&line).unwrap();
    for key in [
        "base",
        "authority",
        "bc_api",
        "fno_url",
        "dataverse_url",
        "globaldisco",
        "demo",
    ] {
        assert!(start.get(key).is_some(), "{key} missing from {start}");
    }
    let discovery = format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        start["authority"].as_str().unwrap(),
        start["demo"]["tenant_id"].as_str().unwrap()
    );
    let body: Value = reqwest::get(&discovery)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body["issuer"].as_str().unwrap().contains("/v2.0"));
    child.kill().unwrap();
    let _ = child.wait();

    let bad = Command::new(env!("CARGO_BIN_EXE_d365c"))
        .args(["sandbox", "--world", "/no/such/world.json"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
