//! `d365c setup` and `d365c secret renew` end to end: the built binary, the
//! robot as the administrator's browser (`--browser-cmd`), the sandbox
//! tenant's Microsoft Graph, and the real keychain.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use d365_e2e::cli::{robot_browser, setup_args, strs, Cli};
use d365_e2e::files_under;
use d365_sandbox::world::World;
use d365_sandbox::{Sandbox, SandboxHandle};
use serde_json::Value;

async fn start() -> SandboxHandle {
    let s = Sandbox::start(World::demo()).await.unwrap();
    // One second of Entra replication: the waits are part of the journey.
    s.set_replication_delay(Duration::from_secs(1));
    s
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The robot as the administrator who ticks "Consent on behalf of your
/// organization" (or as `login`, a person of the world).
fn admin_browser() -> String {
    format!("{} --for-organization", robot_browser().unwrap().display())
}

fn browser_as(login: &str, password: &str) -> String {
    format!(
        "{} --login {login} --password {password}",
        robot_browser().unwrap().display()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_registers_a_bc_background_service_and_a_rerun_makes_no_duplicate() {
    let s = start().await;
    let cli = Cli::with_keychain().unwrap();
    let name = format!("setup-bc-{}", std::process::id());
    let browser = admin_browser();
    let args = setup_args(
        &s,
        &name,
        "bc",
        &["--grant", "client-credentials", "--browser-cmd", &browser],
    );
    let out = cli.ok(&strs(&args)).unwrap();
    let progress = stderr(&out);
    for line in ["Role:", "App:", "Enterprise app:", "Secret:", "Consent:"] {
        assert!(progress.contains(line), "no '{line}' line: {progress}");
    }
    assert!(
        progress.contains("still copying"),
        "replication shows as progress: {progress}"
    );
    assert!(
        progress.contains("Microsoft Entra Applications"),
        "the BC step: {progress}"
    );
    let shown: Value = cli.json(&["profile", "show", &name, "--json"]).unwrap();
    let client_id = shown["client_id"].as_str().unwrap().to_string();
    assert!(shown["setup"]["object_id"].is_string(), "{shown}");
    assert!(shown["secret"]["expires_on"].is_string(), "{shown}");

    // BC's own page, then the check proves it; the report records setup.
    s.register_in_product(
        client_id.parse().unwrap(),
        d365_sandbox::resources::Resource::BusinessCentral,
    );
    let report = cli.home().join("report.json");
    let out = cli
        .run(&["check", &name, "--report", report.to_str().unwrap()])
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["subject"]["setup"]["roles"][0], "API.ReadWrite.All");

    // Run again: the same app is completed, no second registration.
    let again = cli.ok(&strs(&args)).unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("completed from an earlier setup"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let apps = s
        .app_registrations()
        .into_iter()
        .filter(|a| a.client_id.to_string() == client_id)
        .count();
    assert_eq!(apps, 1);
    let named = s
        .app_registrations()
        .into_iter()
        .filter(|a| {
            a.display_name
                .contains("Business Central (background service)")
        })
        .count();
    assert_eq!(named, 1, "no duplicate by name either");

    // Renew: the new secret is proven and kept, the old one removed.
    let out = cli
        .ok(&["secret", "renew", &name, "--browser-cmd", &browser])
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("The old secret"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let renewed: Value = cli.json(&["profile", "show", &name, "--json"]).unwrap();
    assert_ne!(renewed["secret"]["key_id"], shown["secret"]["key_id"]);
    let out = cli.run(&["check", &name]).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // No secret or token in any file the journey left, or in its output.
    let mut secrets = s.issued_tokens();
    secrets.extend(
        s.app_registrations()
            .into_iter()
            .flat_map(|a| a.secrets)
            .map(|sec| sec.value),
    );
    for path in files_under(cli.home()) {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret or token is in {}",
                path.display()
            );
        }
    }
    // Among those files, d365c's log (docs/support.md), which tells of the
    // run: each command by name, the administrator's sign-in, Graph calls.
    let log = std::fs::read_to_string(cli.home().join(".local/share/d365connect/logs/d365c.log"))
        .unwrap();
    for line in [
        "started on linux: setup",
        "started on linux: secret renew",
        "The sign-in listener received the redirect, with an authorization code",
        "/oauth2/v2.0/token answered 200 in",
        "/graph/v1.0/applications",
    ] {
        assert!(log.contains(line), "d365c's log lacks {line:?}:\n{log}");
    }
    for text in [progress, String::from_utf8_lossy(&out.stdout).into_owned()] {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret or token was printed"
            );
        }
    }
    cli.ok(&["profile", "remove", &name]).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clerk_is_refused_with_exit_code_3_and_leaves_with_the_handoff_script() {
    let s = start().await;
    // An administrator consented for everyone, so the clerk gets a token
    // and meets Graph's refusal instead of Entra's "Need admin approval".
    let cli = Cli::with_keychain().unwrap();
    let name = format!("setup-clerk-{}", std::process::id());
    let admin = admin_browser();
    let first = setup_args(
        &s,
        &format!("{name}-admin"),
        "bc",
        &["--browser-cmd", &admin],
    );
    cli.ok(&strs(&first)).unwrap();
    let before = s.app_registrations().len();

    let clerk = browser_as("clerk@cronus-demo.onmicrosoft.com", "Cronus-Clerk-1");
    let args = setup_args(
        &s,
        &name,
        "bc",
        &[
            "--grant",
            "client-credentials",
            "--browser-cmd",
            &clerk,
            "--app-name",
            "Clerk's try",
        ],
    );
    let out = cli.run(&strs(&args)).unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("Cloud Application Administrator"), "{said}");
    assert!(said.contains("--handoff"), "{said}");
    assert_eq!(s.app_registrations().len(), before, "nothing half-made");

    let script = cli.home().join("register.ps1");
    let mut handoff = setup_args(&s, &name, "bc", &["--grant", "client-credentials"]);
    handoff.extend(["--handoff".to_string(), script.display().to_string()]);
    let out = cli.ok(&strs(&handoff)).unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Microsoft Entra Applications"));
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("New-MgApplication"), "{text}");
    assert!(text.contains("$roleIds['API.ReadWrite.All']"), "{text}");

    // The administrator's output file continues: the connection is saved.
    let output = cli.home().join("d365-connect-app.json");
    let demo = s.endpoints().demo;
    std::fs::write(
        &output,
        serde_json::json!({
            "tenant": demo.tenant_id,
            "clientId": demo.client_id.unwrap(),
            "secret": demo.client_secret.unwrap(),
            "secretKeyId": "9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02",
            "secretHint": "Cr8",
            "secretExpires": "2099-12-31T00:00:00Z"
        })
        .to_string(),
    )
    .unwrap();
    let mut import = setup_args(&s, &name, "bc", &["--grant", "client-credentials"]);
    import.retain(|a| a != "--tenant" && *a != demo.tenant_id);
    import.extend(["--import".to_string(), output.display().to_string()]);
    cli.ok(&strs(&import)).unwrap();
    let out = cli.run(&["check", &name]).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for profile in [name.clone(), format!("{name}-admin")] {
        cli.ok(&["profile", "remove", &profile]).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_prepares_dataverse_and_fno_for_a_background_service() {
    let s = start().await;
    let cli = Cli::with_keychain().unwrap();
    let browser = admin_browser();
    for (product, extra, said) in [
        (
            "dataverse",
            vec![],
            "application user with the role Service Reader",
        ),
        (
            "fno",
            vec!["--fno-user", "Integration"],
            "acting as Integration",
        ),
    ] {
        let name = format!("setup-{product}-{}", std::process::id());
        let mut flags = vec!["--grant", "client-credentials", "--browser-cmd", &browser];
        flags.extend(extra);
        let out = cli
            .ok(&strs(&setup_args(&s, &name, product, &flags)))
            .unwrap();
        assert!(stderr(&out).contains(said), "{product}: {}", stderr(&out));
        let shown: Value = cli.json(&["profile", "show", &name, "--json"]).unwrap();
        assert!(
            shown["setup"]["product_side"]
                .as_str()
                .unwrap()
                .contains(said),
            "{shown}"
        );
        let out = cli.run(&["check", &name]).unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{product}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        cli.ok(&["profile", "remove", &name]).unwrap();
    }

    // F&O without a user named: refused with the users to choose from.
    let name = format!("setup-fno-nouser-{}", std::process::id());
    let flags = [
        "--grant",
        "client-credentials",
        "--browser-cmd",
        browser.as_str(),
    ];
    let out = cli
        .run(&strs(&setup_args(&s, &name, "fno", &flags)))
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Integration"), "{}", stderr(&out));
    let _ = cli.run(&["profile", "remove", &name]);
}
