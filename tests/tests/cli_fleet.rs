//! `d365c check --all` end to end: a consultant's five customers in one
//! sandbox world (`worlds/fleet.json`: one healthy, one whose secret
//! expired, one app not registered inside Business Central, one tenant
//! that throttles, one Dataverse app without an application user), each
//! connection's secret in the keychain, checked at once; the verdict per
//! customer, the exit codes, tags picking a healthy subset, and the fleet
//! report in its three formats, valid against its schema and holding no
//! secret or token.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use d365_e2e::cli::{profile_add_in, strs, Cli};
use d365_sandbox::world::World;
use d365_sandbox::{Sandbox, SandboxHandle};
use serde_json::Value;

fn crate_file(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn fleet_world() -> World {
    World::load(&crate_file("../src-tauri/crates/sandbox/worlds/fleet.json")).unwrap()
}

fn validator(schema: &str) -> jsonschema::Validator {
    let path = crate_file(&format!("../src-tauri/crates/core/{schema}"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// One customer of the world: what the consultant saved, and what
/// `check --all` must say about it.
struct Customer {
    /// The tenant's first domain label (contoso, fabrikam…).
    short: &'static str,
    product: &'static str,
    tags: &'static [&'static str],
    /// The secret's saved expiry, when the consultant typed it.
    secret_expires: Option<&'static str>,
    verdict: &'static str,
    /// The first failed check and a phrase of its fix.
    failing: Option<(&'static str, &'static str)>,
}

const CUSTOMERS: [Customer; 5] = [
    Customer {
        short: "contoso",
        product: "bc",
        tags: &["eu", "retail"],
        secret_expires: Some("2099-12-31"),
        verdict: "passed",
        failing: None,
    },
    Customer {
        short: "fabrikam",
        product: "bc",
        tags: &["us"],
        secret_expires: Some("2025-06-30"),
        verdict: "failed",
        failing: Some(("secret-expiry", "New client secret")),
    },
    Customer {
        short: "northwind",
        product: "bc",
        tags: &["us", "retail"],
        secret_expires: None,
        verdict: "failed",
        failing: Some(("in-product", "Microsoft Entra Applications")),
    },
    Customer {
        short: "adatum",
        product: "bc",
        tags: &["eu"],
        secret_expires: None,
        verdict: "passed",
        failing: None,
    },
    Customer {
        short: "litware",
        product: "dataverse",
        tags: &["us"],
        secret_expires: None,
        verdict: "failed",
        failing: Some(("in-product", "+ New app user")),
    },
];

/// The consultant's machine: each customer saved with its own secret in
/// the keychain, under a name of this run (the keychain is shared).
struct Consultant {
    cli: Cli,
    names: Vec<String>,
    secrets: Vec<String>,
}

impl Consultant {
    fn save_customers(s: &SandboxHandle, world: &World) -> Self {
        let cli = Cli::with_keychain().unwrap();
        let (mut names, mut secrets) = (vec![], vec![]);
        for c in &CUSTOMERS {
            let tenant = world
                .tenants
                .iter()
                .find(|t| t.initial_domain().starts_with(c.short))
                .unwrap();
            let app = world.apps.iter().find(|a| a.tenant == tenant.id).unwrap();
            let environment = match c.product {
                "dataverse" => c.short,
                _ => "Production",
            };
            let name = format!("{}-{}", c.short, std::process::id());
            let client_id = app.client_id.to_string();
            let mut extra = vec![
                "--client-id",
                &client_id,
                "--grant",
                "client-credentials",
                "--secret-stdin",
                "--customer",
                &tenant.display_name,
            ];
            for tag in c.tags {
                extra.extend(["--tag", tag]);
            }
            if let Some(date) = c.secret_expires {
                extra.extend(["--secret-expires", date]);
            }
            let at = (tenant.initial_domain(), environment);
            let add = profile_add_in(s, &name, c.product, at, &extra);
            let secret = app.secrets[0].value.clone();
            let out = cli.run_with_stdin(&strs(&add), &secret).unwrap();
            assert!(out.status.success(), "{name}: {}", stderr(&out));
            names.push(name);
            secrets.push(secret);
        }
        Self {
            cli,
            names,
            secrets,
        }
    }

    fn name_of(&self, short: &str) -> &str {
        self.names.iter().find(|n| n.starts_with(short)).unwrap()
    }

    /// No secret and no token anywhere in `text`.
    fn assert_no_secret(&self, s: &SandboxHandle, what: &str, text: &str) {
        for secret in &self.secrets {
            assert!(!text.contains(secret.as_str()), "a secret in {what}");
        }
        for token in s.issued_tokens() {
            assert!(!text.contains(&token), "a token in {what}");
        }
    }
}

impl Drop for Consultant {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = self.cli.run(&["profile", "remove", name]);
        }
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_all_names_each_customers_verdict_and_what_to_fix() {
    let world = fleet_world();
    let s = Sandbox::start(world.clone()).await.unwrap();
    let me = Consultant::save_customers(&s, &world);
    let shown = me
        .cli
        .ok(&["profile", "show", me.name_of("contoso")])
        .unwrap();
    let shown = stdout(&shown);
    assert!(shown.contains("Customer:    Contoso Retail"), "{shown}");
    assert!(shown.contains("Tags:        eu, retail"), "{shown}");

    let report_path = me.cli.home().join("fleet.json");
    let out = me
        .cli
        .run(&[
            "check",
            "--all",
            "--jobs",
            "3",
            "--report",
            report_path.to_str().unwrap(),
        ])
        .unwrap();
    let printed = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}{}", stderr(&out));

    // One live line per connection, then the summary.
    for c in &CUSTOMERS {
        let name = me.name_of(c.short);
        let line = printed
            .lines()
            .find(|l| l.contains(&format!(" {name}  ")))
            .unwrap_or_else(|| panic!("no line for {name}: {printed}"));
        let mark = if c.verdict == "passed" { "✓" } else { "✗" };
        assert!(line.starts_with(mark), "{line}");
        if c.verdict == "passed" {
            assert!(line.contains(" passed  ("), "{line}");
        } else {
            assert!(line.contains(" failed: "), "{line}");
        }
    }
    assert!(
        printed.contains("5 connections: 2 passed, 3 failed."),
        "{printed}"
    );
    // Adatum's tenant answered 429 three times: waited out, not a failure.
    let throttled: u64 = s.faults().status().iter().map(|f| f.hits).sum();
    assert_eq!(throttled, 3);

    let text = std::fs::read_to_string(&report_path).unwrap();
    me.assert_no_secret(&s, "the JSON report", &text);
    me.assert_no_secret(&s, "the output", &(printed + &stderr(&out)));
    let report: Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = validator("fleet-report.schema.json")
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(report["passed"], false);
    let rows = report["connections"].as_array().unwrap();
    let verdicts: Vec<&str> = rows.iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(
        verdicts,
        ["failed", "failed", "failed", "passed", "passed"],
        "worst first"
    );
    let single = validator("report.schema.json");
    for c in &CUSTOMERS {
        let row = rows
            .iter()
            .find(|r| r["name"] == me.name_of(c.short))
            .unwrap();
        assert_eq!(row["result"], c.verdict, "{}", c.short);
        assert_eq!(row["tags"], serde_json::json!(c.tags), "{}", c.short);
        assert!(row["customer"].as_str().unwrap().len() > 3);
        assert_eq!(
            row["secret_expires"].as_str(),
            c.secret_expires,
            "{}",
            c.short
        );
        assert!(single.is_valid(&row["report"]), "{}: {row}", c.short);
        match c.failing {
            Some((id, fix_says)) => {
                let first = &row["failed_checks"][0];
                assert_eq!(first["id"], id, "{}: {row}", c.short);
                let fix = first["fix"].as_str().unwrap_or_default();
                assert!(fix.contains(fix_says), "{}: {fix}", c.short);
            }
            None => assert_eq!(row["failed_checks"], serde_json::json!([]), "{}", c.short),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_and_names_pick_a_subset_and_usage_mistakes_exit_2() {
    let world = fleet_world();
    let s = Sandbox::start(world.clone()).await.unwrap();
    let mut me = Consultant::save_customers(&s, &world);

    // The EU customers are healthy (one of them throttled): exit 0.
    let html_path = me.cli.home().join("eu.html");
    let out = me
        .cli
        .run(&[
            "check",
            "--tag",
            "EU",
            "--report",
            html_path.to_str().unwrap(),
        ])
        .unwrap();
    let printed = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{printed}{}", stderr(&out));
    assert!(printed.contains("2 connections: 2 passed."), "{printed}");
    let html = std::fs::read_to_string(&html_path).unwrap();
    me.assert_no_secret(&s, "the HTML report", &html);
    let page = scraper::Html::parse_document(&html);
    assert!(page.errors.is_empty(), "{:?}", page.errors);
    let rows = scraper::Selector::parse("table.fleet tbody tr").unwrap();
    assert_eq!(page.select(&rows).count(), 2);
    let details = scraper::Selector::parse("body > details").unwrap();
    assert_eq!(page.select(&details).count(), 2, "each report collapsed");
    let external = scraper::Selector::parse("script, link, img, [src]").unwrap();
    assert_eq!(page.select(&external).count(), 0, "self-contained");

    // By name, one at a time, as JSON on stdout and Markdown on disk.
    let md_path = me.cli.home().join("two.md");
    let two = format!("{},{}", me.name_of("fabrikam"), me.name_of("contoso"));
    let out = me
        .cli
        .run(&[
            "check",
            "--profiles",
            &two,
            "--jobs",
            "1",
            "--json",
            "--report",
            md_path.to_str().unwrap(),
        ])
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(validator("fleet-report.schema.json").is_valid(&report));
    assert_eq!(report["summary"]["connections"], 2);
    assert_eq!(report["connections"][0]["name"], me.name_of("fabrikam"));
    let md = std::fs::read_to_string(&md_path).unwrap();
    me.assert_no_secret(&s, "the Markdown report", &md);
    assert!(
        md.contains(&format!(
            "| Failed | {} | Fabrikam Foods |",
            me.name_of("fabrikam")
        )),
        "{md}"
    );

    // A company saved by a name the environment does not have: the checks
    // cannot start, and the row says which companies there are.
    let ghost = format!("ghost-{}", std::process::id());
    let contoso = &world.apps[0];
    let client_id = contoso.client_id.to_string();
    let add = profile_add_in(
        &s,
        &ghost,
        "bc",
        ("contoso.onmicrosoft.com", "Production"),
        &[
            "--client-id",
            &client_id,
            "--grant",
            "client-credentials",
            "--secret-stdin",
            "--company",
            "Ghost Trading Ltd",
            "--tag",
            "ghost",
        ],
    );
    let out = me
        .cli
        .run_with_stdin(&strs(&add), &contoso.secrets[0].value)
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    me.names.push(ghost.clone());
    let out = me.cli.run(&["check", "--tag", "ghost"]).unwrap();
    let printed = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}{}", stderr(&out));
    let line = printed.lines().next().unwrap_or_default();
    assert!(
        line.starts_with(&format!(
            "? {ghost}  Business Central · Production · could not run: "
        )),
        "{line}"
    );
    assert!(
        line.contains("CRONUS USA, Inc."),
        "the companies there are: {line}"
    );
    assert!(
        printed.contains("1 connection: 1 could not be checked."),
        "{printed}"
    );

    let nobody = format!("nobody-{}", std::process::id());
    for (what, args) in [
        ("both a name and --all", vec!["check", "x", "--all"]),
        ("--all and --tag", vec!["check", "--all", "--tag", "eu"]),
        (
            "no connection with the tag",
            vec!["check", "--tag", "antarctica"],
        ),
        ("an unknown name", vec!["check", "--profiles", &nobody]),
        ("no jobs", vec!["check", "--all", "--jobs", "0"]),
    ] {
        let out = me.cli.run(&args).unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
}
