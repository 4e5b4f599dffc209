//! `d365c` end to end: the built binary against the sandbox tenant, as a
//! consultant's script or a person at a terminal runs it — profiles,
//! sign-in through `--browser-cmd`, data with exact counts, the checks on a
//! healthy world and on broken ones, the three report formats, and bad
//! input.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;

use d365_e2e::cli::{profile_add, robot_browser, strs, Cli};
use d365_e2e::processes::Stoppable;
use d365_e2e::{files_under, utc_date_in};
use d365_sandbox::world::World;
use d365_sandbox::{Sandbox, SandboxHandle};
use serde_json::Value;

async fn start(world: World) -> SandboxHandle {
    Sandbox::start(world).await.unwrap()
}

/// The demo world's confidential app, known before a test breaks it.
fn demo_app() -> (String, String) {
    let app = &World::demo().apps[0];
    (app.client_id.to_string(), app.secrets[0].value.clone())
}

/// A headless consultant with a client-credentials profile `name` for
/// `product` (bc, fno, dataverse).
fn app_profile(s: &SandboxHandle, name: &str, product: &str, extra: &[&str]) -> Cli {
    let (client_id, secret) = demo_app();
    let cli = Cli::headless(&secret).unwrap();
    let mut app = vec![
        "--client-id",
        client_id.as_str(),
        "--grant",
        "client-credentials",
    ];
    app.extend_from_slice(extra);
    cli.ok(&strs(&profile_add(s, name, product, &app))).unwrap();
    cli
}

/// The demo world with its app's secret expiring `days` from now.
fn secret_expiring_in(days: i64) -> World {
    let mut world = World::demo();
    world.apps[0].secrets[0].expires = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    world
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_are_added_listed_shown_and_removed_and_never_hold_the_secret() {
    let s = start(World::demo()).await;
    let (_, secret) = demo_app();
    let cli = app_profile(&s, "cronus", "bc", &[]);
    let shown = cli.ok(&["profile", "show", "cronus"]).unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains(&demo_app().0), "IDs shown in full: {shown}");
    let listed = cli.json(&["profile", "list", "--json"]).unwrap();
    assert_eq!(listed[0]["name"], "cronus");
    assert_eq!(listed.as_array().unwrap().len(), 1);
    for file in files_under(cli.home()) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            !text.contains(&secret),
            "secret written to {}",
            file.display()
        );
    }
    assert!(!shown.contains(&secret));
    cli.ok(&["profile", "remove", "cronus"]).unwrap();
    assert_eq!(
        cli.run(&["profile", "show", "cronus"])
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        cli.json(&["profile", "list", "--json"]).unwrap(),
        Value::Array(vec![])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_or_duplicated_profile_keeps_its_secret_in_the_keychain() {
    let s = start(World::demo()).await;
    let (client_id, secret) = demo_app();
    let cli = Cli::with_keychain().unwrap();
    // Profile names are the keychain's keys: names of their own per run.
    let [first, renamed, copy] = ["a", "b", "c"].map(|n| format!("{n}-{}", std::process::id()));
    let add = profile_add(
        &s,
        &first,
        "bc",
        &[
            "--client-id",
            &client_id,
            "--grant",
            "client-credentials",
            "--secret-stdin",
        ],
    );
    let out = cli.run_with_stdin(&strs(&add), &secret).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    cli.ok(&["profile", "rename", &first, &renamed]).unwrap();
    cli.ok(&["profile", "duplicate", &renamed, &copy]).unwrap();
    let taken = cli.run(&["profile", "rename", &copy, &renamed]).unwrap();
    assert_eq!(taken.status.code(), Some(2), "{}", stderr(&taken));
    for name in [&renamed, &copy] {
        // The token comes with the secret the keychain holds for `name`.
        let token = cli.json(&["token", name, "--json"]).unwrap();
        assert_eq!(token["verdict"]["usable"], true, "{name}: {token}");
    }
    let gone = cli.run(&["token", &first]).unwrap();
    assert_ne!(gone.status.code(), Some(0));
    for name in [&renamed, &copy] {
        cli.ok(&["profile", "remove", name]).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consultant_lists_queries_and_exports_business_central_with_exact_counts() {
    let s = start(World::demo()).await;
    let cli = app_profile(&s, "cronus", "bc", &[]);
    let environments = cli.json(&["environments", "cronus", "--json"]).unwrap();
    assert_eq!(environments[0]["id"], "Production");
    let companies = cli.json(&["companies", "cronus", "--json"]).unwrap();
    let company = companies[0]["id"].as_str().unwrap().to_string();

    // Without a company, BC queries say how to pick one.
    let out = cli.run(&["query", "cronus", "customers"]).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("d365c companies cronus"));

    cli.ok(&strs(&profile_add(
        &s,
        "cronus",
        "bc",
        &[
            "--client-id",
            &demo_app().0,
            "--grant",
            "client-credentials",
            "--company",
            &company,
        ],
    )))
    .unwrap();
    let rows = cli
        .json(&[
            "query",
            "cronus",
            "customers",
            "--select",
            "number,displayName",
            "--top",
            "3",
            "--count",
            "--json",
        ])
        .unwrap();
    assert_eq!(rows["rows"].as_array().unwrap().len(), 3);
    let count = rows["count"].as_u64().unwrap();
    assert_eq!(count, 2_500);

    // The same customers through the published web service (docs/microsoft.md §5).
    let service = cli
        .json(&[
            "query",
            "cronus",
            "ODataV4/Customers",
            "--select",
            "No,Name",
            "--top",
            "3",
            "--count",
            "--json",
        ])
        .unwrap();
    assert_eq!(service["count"].as_u64(), Some(count));
    for (page_row, api_row) in service["rows"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rows["rows"].as_array().unwrap())
    {
        assert_eq!(page_row["No"], api_row["number"], "{page_row}");
        assert_eq!(page_row["Name"], api_row["displayName"], "{page_row}");
    }

    let out_file = cli.home().join("customers.csv");
    let summary = cli
        .json(&[
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
        ])
        .unwrap();
    assert_eq!(summary["rows"].as_u64(), Some(count));
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(
        text.lines().count() as u64,
        count + 1,
        "a header and every row"
    );

    let token = cli.json(&["token", "cronus", "--json"]).unwrap();
    assert_eq!(token["verdict"]["usable"], true, "{token}");
    assert!(
        token.get("access_token").is_none(),
        "no raw token without --raw"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn fno_and_dataverse_apps_query_and_export_exact_counts() {
    let s = start(World::demo()).await;
    for (product, entity) in [("fno", "CustomersV3"), ("dataverse", "accounts")] {
        let cli = app_profile(&s, product, product, &[]);
        let counted = cli
            .json(&["query", product, entity, "--top", "1", "--count", "--json"])
            .unwrap();
        let out_file = cli.home().join(format!("{entity}.jsonl"));
        let summary = cli
            .json(&[
                "export",
                product,
                entity,
                "--format",
                "jsonl",
                "--out",
                out_file.to_str().unwrap(),
                "--json",
            ])
            .unwrap();
        let text = std::fs::read_to_string(&out_file).unwrap();
        let keys: std::collections::HashSet<&str> = text.lines().collect();
        let lines = text.lines().count() as u64;
        assert_eq!(keys.len() as u64, lines, "{product}: every row once");
        assert_eq!(summary["rows"].as_u64(), Some(lines), "{product}");
        if product == "dataverse" {
            // Dataverse stops counting at 5,000 and says so; the export
            // reads every row regardless.
            assert_eq!(counted["count"], Value::Null, "{counted}");
            assert_eq!(counted["count_at_least"], 5_000, "{counted}");
            assert!(lines > 5_000, "{lines}");
        } else {
            assert_eq!(counted["count"].as_u64(), Some(lines), "{counted}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn entities_are_listed_and_searchable() {
    let s = start(World::demo()).await;
    let cli = app_profile(&s, "cronus", "bc", &[]);
    let all = cli.json(&["entities", "cronus", "--json"]).unwrap();
    assert!(all.as_array().unwrap().len() >= 12);
    let found = cli
        .json(&["entities", "cronus", "--search", "sales", "--json"])
        .unwrap();
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
    // Business Central's web services are listed next to the API's sets.
    let found = cli
        .json(&["entities", "cronus", "--search", "chart", "--json"])
        .unwrap();
    assert_eq!(found[0]["name"], "ODataV4/Chart_of_Accounts", "{found}");
    assert_eq!(found[0]["source"], "WebService");
    assert_eq!(found[0]["keys"], serde_json::json!(["No"]));
}

/// The published schema, as a consultant's tooling would load it.
fn report_schema() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/crates/core/report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_on_a_healthy_world_passes_and_writes_all_three_reports() {
    let s = start(World::demo()).await;
    let cli = app_profile(&s, "cronus", "bc", &["--secret-expires", &utc_date_in(365)]);
    let dir = cli.home().to_path_buf();
    let mut titles = vec![];
    for format in ["json", "html", "md"] {
        let path = dir.join(format!("report.{format}"));
        let out = cli
            .run(&["check", "cronus", "--report", path.to_str().unwrap()])
            .unwrap();
        let printed = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{printed}{}", stderr(&out));
        assert!(printed.contains("PASS  The tenant"), "{printed}");
        assert!(
            !printed.contains("FAIL") && !printed.contains("SKIP"),
            "{printed}"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(&demo_app().1),
            "no secret in the {format} report"
        );
        match format {
            "json" => {
                let report: Value = serde_json::from_str(&text).unwrap();
                let errors: Vec<String> = report_schema()
                    .iter_errors(&report)
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{errors:?}");
                assert_eq!(report["passed"], true);
                assert_eq!(report["subject"]["client_id"], demo_app().0);
                for result in report["results"].as_array().unwrap() {
                    assert_eq!(result["status"], "Pass", "{result}");
                    titles.push(result["title"].as_str().unwrap().to_string());
                }
                assert!(titles.len() >= 12, "{titles:?}");
            }
            "html" => {
                let page = scraper::Html::parse_document(&text);
                assert!(page.errors.is_empty(), "{:?}", page.errors);
                let rows = scraper::Selector::parse("tbody tr").unwrap();
                let cells: Vec<String> = page
                    .select(&rows)
                    .map(|row| row.text().collect::<String>())
                    .collect();
                for title in &titles {
                    assert!(
                        cells.iter().any(|c| c.contains(title.as_str())),
                        "{title} in {cells:?}"
                    );
                }
                let external = scraper::Selector::parse("script, link, img, [src]").unwrap();
                assert_eq!(page.select(&external).count(), 0, "self-contained");
            }
            _ => {
                for title in &titles {
                    assert!(
                        text.contains(&format!("| Pass | {title} |")),
                        "{title}:\n{text}"
                    );
                }
            }
        }
    }
}

/// A world broken one way, and what `d365c check` must say about it.
struct Broken {
    name: &'static str,
    break_world: fn(&mut World),
    secret: Option<&'static str>,
    environment: Option<&'static str>,
    failing: &'static str,
    fix_says: &'static str,
}

#[tokio::test(flavor = "multi_thread")]
async fn check_on_broken_worlds_fails_the_right_check_with_its_fix() {
    let unchanged: fn(&mut World) = |_| {};
    let cases = [
        Broken {
            name: "wrong secret",
            break_world: unchanged,
            secret: Some("wrongQ~0123456789abcdefghijklmnopqrstuvw"),
            environment: None,
            failing: "app",
            fix_says: "Value",
        },
        Broken {
            name: "expired secret",
            break_world: |w| {
                let mut json = serde_json::to_value(&*w).unwrap();
                json["apps"][0]["secrets"][0]["expires"] = "2024-01-31T00:00:00Z".into();
                *w = World::from_json(&json.to_string()).unwrap();
            },
            secret: None,
            environment: None,
            failing: "app",
            fix_says: "New client secret",
        },
        Broken {
            name: "app missing in tenant",
            break_world: |w| {
                w.apps.remove(0);
            },
            secret: None,
            environment: None,
            failing: "app",
            fix_says: "Application (client) ID",
        },
        Broken {
            name: "consent missing",
            break_world: |w| w.apps[0].admin_consent = false,
            secret: None,
            environment: None,
            failing: "consent",
            fix_says: "Grant admin consent",
        },
        Broken {
            name: "not registered in BC",
            break_world: |w| w.apps[0].registered_in_product.clear(),
            secret: None,
            environment: None,
            failing: "in-product",
            fix_says: "Microsoft Entra Applications",
        },
        Broken {
            name: "unknown environment",
            break_world: unchanged,
            secret: None,
            environment: Some("Sandbox2"),
            failing: "environments",
            fix_says: "Production",
        },
    ];
    for case in cases {
        let mut world = World::demo();
        (case.break_world)(&mut world);
        let s = start(world).await;
        let (client_id, secret) = demo_app();
        let cli = Cli::headless(case.secret.unwrap_or(&secret)).unwrap();
        let mut args = profile_add(
            &s,
            "cronus",
            "bc",
            &["--client-id", &client_id, "--grant", "client-credentials"],
        );
        if let Some(env) = case.environment {
            let at = args.iter().position(|a| a == "--environment").unwrap();
            args[at + 1] = env.into();
        }
        cli.ok(&strs(&args)).unwrap();

        let report_path = cli.home().join("report.md");
        let out = cli
            .run(&[
                "check",
                "cronus",
                "--json",
                "--report",
                report_path.to_str().unwrap(),
            ])
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: {}",
            case.name,
            stderr(&out)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(report_schema().is_valid(&report), "{}", case.name);
        assert_eq!(report["passed"], false);
        let results = report["results"].as_array().unwrap();
        let failed = results
            .iter()
            .find(|r| r["id"] == case.failing)
            .unwrap_or_else(|| panic!("{}: no '{}' in {report}", case.name, case.failing));
        assert_eq!(failed["status"], "Fail", "{}: {failed}", case.name);
        let fix = failed["fix"].as_str().unwrap_or_default();
        assert!(fix.contains(case.fix_says), "{}: {fix}", case.name);
        let first_failure = results.iter().find(|r| r["status"] == "Fail").unwrap();
        assert_eq!(
            first_failure["id"], case.failing,
            "{}: the first failure",
            case.name
        );
        let md = std::fs::read_to_string(&report_path).unwrap();
        for result in results {
            assert!(
                md.contains(result["title"].as_str().unwrap()),
                "{}: {md}",
                case.name
            );
        }
        assert!(
            !md.contains(&secret),
            "{}: no secret in the report",
            case.name
        );
    }
}

/// A secret that expires in 10 days is a warning a script can see while
/// it still works (exit 0); once the date has passed, the check fails
/// like any other (exit 1), before Entra's own refusal.
#[tokio::test(flavor = "multi_thread")]
async fn a_secret_expiring_soon_warns_and_an_expired_one_fails_the_check() {
    let secret_id = World::demo().apps[0].secrets[0].id.to_string();
    let soon = utc_date_in(10);
    let s = start(secret_expiring_in(10)).await;
    let cli = app_profile(
        &s,
        "cronus",
        "bc",
        &["--secret-expires", &soon, "--secret-id", &secret_id],
    );
    let shown = cli.ok(&["profile", "show", "cronus"]).unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains(&format!(
            "Secret:      expires in 10 days (on {soon}); Secret ID {secret_id}"
        )),
        "{shown}"
    );
    let listed = cli.json(&["profile", "list", "--json"]).unwrap();
    assert_eq!(
        listed[0]["secret_expiry"],
        serde_json::json!({ "expires_on": soon, "days_left": 10, "state": "ExpiringSoon" })
    );
    let saved = cli.json(&["profile", "show", "cronus", "--json"]).unwrap();
    assert_eq!(saved["secret"]["key_id"], secret_id.as_str());

    let out = cli.run(&["check", "cronus"]).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!(
            "WARN  The client secret is not about to expire — The client secret expires in 10 days (on {soon})."
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("What to do: Replace the secret before {soon}: ")),
        "{text}"
    );
    assert!(
        text.contains(
            "Where: `d365c profile add cronus … --secret-stdin --secret-expires YYYY-MM-DD`."
        ),
        "{text}"
    );
    assert!(!text.contains("FAIL"), "{text}");

    let s = start(secret_expiring_in(-1)).await;
    let yesterday = utc_date_in(-1);
    let cli = app_profile(&s, "cronus", "bc", &["--secret-expires", &yesterday]);
    let out = cli.run(&["check", "cronus"]).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let first_failure = text.lines().find(|l| l.starts_with("FAIL")).unwrap();
    assert_eq!(
        first_failure,
        format!("FAIL  The client secret is not about to expire — The client secret expired yesterday ({yesterday}).")
    );
    let out = cli.run(&["check", "cronus", "--json"]).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report_schema().is_valid(&report));
    let expiry = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "secret-expiry")
        .unwrap();
    assert_eq!(expiry["status"], "Fail");
    assert_eq!(expiry["setting"], "Secret");
}

/// Consultants quote Entra's code and trace ID to Microsoft support, so the
/// text output shows them under the failed check, not only `--json`
/// (issue 17, item 13; docs/microsoft.md §3).
#[tokio::test(flavor = "multi_thread")]
async fn check_text_output_shows_entras_code_and_trace_id() {
    let s = start(World::demo()).await;
    let (client_id, secret) = demo_app();
    let wrong = "wrongQ~0123456789abcdefghijklmnopqrstuvw";
    let cli = Cli::headless(wrong).unwrap();
    let args = profile_add(
        &s,
        "cronus",
        "bc",
        &["--client-id", &client_id, "--grant", "client-credentials"],
    );
    cli.ok(&strs(&args)).unwrap();

    let out = cli.run(&["check", "cronus"]).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let failed = text
        .find("FAIL")
        .unwrap_or_else(|| panic!("no failed check: {text}"));
    let after = &text[failed..];
    assert!(after.contains("Details:"), "{text}");
    assert!(after.contains("AADSTS7000215"), "{text}");
    assert!(after.contains("Trace ID"), "{text}");
    assert!(!text.contains(wrong), "no secret in the output: {text}");
    assert!(!text.contains(&secret), "no secret in the output: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_through_browser_cmd_and_the_checks_pass() {
    let s = start(World::demo()).await;
    let cli = Cli::with_keychain().unwrap();
    // Profile names are the keychain's keys: one of its own per run.
    let name = format!("me-{}", std::process::id());
    let public = s.endpoints().demo.public_client_id.unwrap();
    cli.ok(&strs(&profile_add(
        &s,
        &name,
        "bc",
        &["--client-id", &public, "--public-client"],
    )))
    .unwrap();
    let robot = robot_browser().unwrap();
    let login = cli
        .ok(&["login", &name, "--browser-cmd", robot.to_str().unwrap()])
        .unwrap();
    assert!(String::from_utf8_lossy(&login.stdout).contains("Signed in."));

    // A later run uses the refresh token from the keychain.
    let out = cli.run(&["check", &name, "--json"]).unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report}");
    let ids: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"redirect-uri") && !ids.contains(&"secret"),
        "{ids:?}"
    );
    let companies = cli.json(&["companies", &name, "--json"]).unwrap();
    assert!(!companies.as_array().unwrap().is_empty());
    cli.ok(&["profile", "remove", &name]).unwrap();

    // A declined sign-in ends with the sign-in exit code and its reason.
    cli.ok(&strs(&profile_add(
        &s,
        &name,
        "bc",
        &["--client-id", &public, "--public-client"],
    )))
    .unwrap();
    let declined = format!("{} --decline", robot.display());
    let out = cli
        .run(&["login", &name, "--browser-cmd", &declined])
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    cli.ok(&["profile", "remove", &name]).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn login_without_a_browser_prints_the_link_a_person_opens() {
    let s = start(World::demo()).await;
    let cli = Cli::headless("").unwrap();
    let public = s.endpoints().demo.public_client_id.unwrap();
    cli.ok(&strs(&profile_add(
        &s,
        "me",
        "bc",
        &["--client-id", &public, "--public-client"],
    )))
    .unwrap();
    let mut child = cli
        .command(&["login", "me", "--no-browser"])
        .unwrap()
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read stderr to the end on a thread (a closed pipe would kill d365c at
    // its next message), handing over the link as soon as it shows.
    let err = child.stderr.take().unwrap();
    let (found, link) = tokio::sync::oneshot::channel();
    let reader = std::thread::spawn(move || {
        let mut found = Some(found);
        let mut all = String::new();
        for line in BufReader::new(err).lines().map_while(Result::ok) {
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
    let visit = d365_sandbox::robot::visit(&link, &d365_sandbox::robot::Persona::demo())
        .await
        .unwrap();
    assert!(visit.reached_the_app(), "{visit}");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let all = reader.join().unwrap();
    assert!(out.status.success(), "{:?}: {all}", out.status);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Signed in."));
    // Without a keychain the refresh token lived in that run only, so a new
    // run must sign in again: it says so with the sign-in exit code.
    let token = cli.run(&["token", "me"]).unwrap();
    assert_eq!(token.status.code(), Some(3), "{}", stderr(&token));
}

#[tokio::test(flavor = "multi_thread")]
async fn d365c_sandbox_prints_the_same_start_line_and_serves() {
    let cli = Cli::headless("").unwrap();
    // Stopped when dropped, even when an assertion fails first.
    let mut child = Stoppable::spawn(
        "d365c sandbox",
        cli.command(&["sandbox", "--port", "0"])
            .unwrap()
            .stdout(std::process::Stdio::piped()),
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(child.child_mut().stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    for key in [
        "base",
        "authority",
        "bc_api",
        "fno_url",
        "dataverse_url",
        "globaldisco",
        "demo",
    ] {
        assert!(started.get(key).is_some(), "{key} missing from {started}");
    }
    // The sandbox it started answers d365c like the in-process one.
    let name = "served";
    let tenant = started["demo"]["tenant_id"].as_str().unwrap();
    let client_id = started["demo"]["client_id"].as_str().unwrap();
    let secret = started["demo"]["client_secret"].as_str().unwrap();
    let served = Cli::headless(secret).unwrap();
    served
        .ok(&[
            "profile",
            "add",
            name,
            "--product",
            "bc",
            "--tenant",
            tenant,
            "--client-id",
            client_id,
            "--grant",
            "client-credentials",
            "--environment",
            "Production",
            "--cloud",
            "custom",
            "--authority",
            started["authority"].as_str().unwrap(),
            "--bc-api",
            started["bc_api"].as_str().unwrap(),
            "--globaldisco",
            started["globaldisco"].as_str().unwrap(),
        ])
        .unwrap();
    let environments = served.json(&["environments", name, "--json"]).unwrap();
    assert_eq!(environments[0]["id"], "Production");
    child.stop();
}

/// Bad input ends with a short message, what to do, and the documented
/// exit code — never a panic or a stack trace.
#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_short_message_and_the_documented_exit_code() {
    let s = start(World::demo()).await;
    let cli = app_profile(&s, "cronus", "bc", &[]);
    let unwritable = cli.home().join("no-such-folder").join("report.md");
    let world_dir = cli.home().join("a-folder.json");
    std::fs::create_dir_all(&world_dir).unwrap();
    let cases: Vec<(&str, Vec<String>, i32)> = vec![
        ("unknown profile", vec!["check".into(), "nobody".into()], 2),
        (
            "malformed GUID",
            strs(&profile_add(
                &s,
                "x",
                "bc",
                &["--client-id", "1234-not-a-guid"],
            ))
            .iter()
            .map(|a| a.to_string())
            .collect(),
            2,
        ),
        (
            "missing world file",
            vec![
                "sandbox".into(),
                "--world".into(),
                "/no/such/world.json".into(),
            ],
            2,
        ),
        (
            "unreadable world file",
            vec![
                "sandbox".into(),
                "--world".into(),
                world_dir.display().to_string(),
            ],
            2,
        ),
        (
            "unwritable report path",
            vec![
                "check".into(),
                "cronus".into(),
                "--report".into(),
                unwritable.display().to_string(),
            ],
            2,
        ),
        (
            "a command that does not exist",
            vec!["frobnicate".into()],
            2,
        ),
    ];
    for (name, args, code) in cases {
        let out = cli.run(&strs(&args)).unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{name}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{name}: {err}"
        );
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("Error: ") || first.starts_with("error: "),
            "{name}: {err}"
        );
        // clap adds its usage line and a pointer to --help.
        assert!(err.lines().count() <= 5, "{name}: short, not a dump: {err}");
    }
    assert!(!unwritable.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn network_settings_are_saved_and_an_environment_name_is_no_fno_address() {
    let s = start(World::demo()).await;
    let cli = app_profile(&s, "patient", "bc", &["--long-timeout", "--no-retry"]);
    let shown = cli.json(&["profile", "show", "patient", "--json"]).unwrap();
    assert_eq!(
        shown["network"],
        serde_json::json!({ "long_timeout": true, "retry_failed": false }),
        "{shown}"
    );
    let text = cli.ok(&["profile", "show", "patient"]).unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("timeout 10 minutes; failed requests not retried"),
        "{text}"
    );

    // In the custom cloud any host would do, but a bare name is no address.
    let mut add = profile_add(&s, "fno-by-name", "fno", &["--client-id", &demo_app().0]);
    let at = add.iter().position(|a| a == "--environment").unwrap() + 1;
    add[at] = "Production".into();
    let out = cli.run(&strs(&add)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("for example https://contoso.operations.dynamics.com"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bc_service_url_gives_tenant_environment_and_company() {
    let cli = Cli::headless("").unwrap();
    let company = "11111111-2222-3333-4444-555555555555";
    let api = format!(
        "https://api.businesscentral.dynamics.com/v2.0/contoso.onmicrosoft.com/Sandbox2/api/v2.0/companies({company})/customers"
    );
    let odata = "https://api.businesscentral.dynamics.com/v2.0/contoso.onmicrosoft.com/Production/ODataV4/Company('CRONUS%20USA%2C%20Inc.')/Customers";
    let client_id = demo_app().0;
    let add = |name: &str, url: &str| {
        cli.run(&[
            "profile",
            "add",
            name,
            "--product",
            "bc",
            "--service-url",
            url,
            "--client-id",
            &client_id,
            "--grant",
            "client-credentials",
        ])
        .unwrap()
    };
    assert!(add("by-id", &api).status.success());
    let shown = cli.json(&["profile", "show", "by-id", "--json"]).unwrap();
    assert_eq!(shown["tenant"], "contoso.onmicrosoft.com", "{shown}");
    assert_eq!(shown["environment"], "Sandbox2", "{shown}");
    assert_eq!(shown["company"], company, "{shown}");

    // A company named, not identified: kept by name until its ID is found.
    let out = add("by-name", odata);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = cli.json(&["profile", "show", "by-name", "--json"]).unwrap();
    assert_eq!(shown["environment"], "Production", "{shown}");
    assert_eq!(shown["company"], "CRONUS USA, Inc.", "{shown}");
}

/// A BC company given by its exact name (as an ODataV4 address names it,
/// docs/microsoft.md §5) is found and saved by ID at the first read; a
/// name that is not exactly one of the environment's stops with the ones
/// there are.
#[tokio::test(flavor = "multi_thread")]
async fn a_bc_company_given_by_name_is_saved_by_id_at_the_first_read() {
    let s = start(World::demo()).await;
    let cli = app_profile(&s, "cronus", "bc", &["--company", "CRONUS USA, Inc."]);
    let out = cli
        .run(&[
            "query",
            "cronus",
            "ODataV4/Customers",
            "--top",
            "1",
            "--json",
        ])
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Found the company “CRONUS USA, Inc.”"),
        "{}",
        stderr(&out)
    );
    let shown = cli.json(&["profile", "show", "cronus", "--json"]).unwrap();
    let id = shown["company"].as_str().unwrap();
    assert!(
        id.len() == 36 && id.matches('-').count() == 4,
        "an ID: {shown}"
    );
    let again = cli
        .run(&["query", "cronus", "customers", "--top", "1"])
        .unwrap();
    assert!(again.status.success());
    assert!(
        !stderr(&again).contains("Found the company"),
        "looked up once"
    );

    let cli = app_profile(&s, "typo", "bc", &["--company", "Cronus USA, Inc."]);
    let out = cli.run(&["query", "typo", "customers"]).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("CRONUS USA, Inc., My Company"),
        "{}",
        stderr(&out)
    );
}
