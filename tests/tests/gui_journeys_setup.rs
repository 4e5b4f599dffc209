//! "Set it up for me" in the real window, against a sandbox tenant the
//! test starts (so it can play Business Central's administrator): an
//! administrator's sign-in registers the app, Business Central is told
//! about it on its own page, and the wizard proves the new connection; a
//! clerk who is not an administrator gets the hand-off pack instead; a
//! secret about to expire is replaced from the start page; a setup stopped
//! halfway is completed by running it again.
//! Screenshots of every new screen, light and dark, under
//! `<target>/e2e-screenshots/setup-*/`.

// A failed step should stop the test right there, with its location.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use d365_e2e::desktop::{screenshot_dir, Desktop};
use d365_e2e::journey::{
    app_log, assert_in_no_file, assert_log_clean, check_and_save_report, click, expect_checks_pass,
    expect_text, expiry_state, four_ways, open_and_show, open_tenant_for_setup, robot_browser,
    sandbox_cloud, save_dialog, saved_with_suggested_name, screen_text, scroll_to, shoot, step,
    theme, LONG, ONE_WINDOW,
};
use d365_e2e::utc_date_in;
use d365_sandbox::resources::Resource;
use serde_json::json;

/// The screen as it is, in light then dark, scrolled to `css` first.
async fn both_themes(app: &Desktop, shots: &Path, css: &str, name: &str) {
    scroll_to(app, css).await;
    theme(app, "light").await;
    shoot(app, shots, &format!("{name}-light")).await;
    theme(app, "dark").await;
    shoot(app, shots, &format!("{name}-dark")).await;
    theme(app, "light").await;
}

/// From the start page to the setup form: the sandbox's tenant opened on
/// the Register step, `registration` chosen, and "Set it up for me".
async fn setup_form(app: &Desktop, sandbox: &d365_sandbox::SandboxHandle, registration: &str) {
    theme(app, "light").await;
    app.wait_for(r#"[data-testid="start-page"]"#, LONG)
        .await
        .unwrap();
    open_tenant_for_setup(app, sandbox).await;
    click(
        app,
        &format!(r#"[data-testid="registration-{registration}"] input"#),
    )
    .await;
    click(app, r#"[data-testid="path-setup"] input"#).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_business_central_background_service() {
    let _window = ONE_WINDOW.lock().await;
    let sandbox = d365_sandbox::Sandbox::start(d365_sandbox::world::World::demo())
        .await
        .unwrap();
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("setup-bc-background-service").unwrap();
    // Register: a background service, set up by the administrator.
    setup_form(&app, &sandbox, "BackgroundService").await;
    app.wait_for(r#"[data-testid="setup-sign-in-info"]"#, LONG)
        .await
        .unwrap();
    let tenant = sandbox.endpoints().demo.tenant_id;
    let typed = app
        .find(r#"[data-testid="setup-tenant"]"#)
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some(tenant.as_str()), "tenant prefilled");
    app.type_into(r#"[data-testid="setup-name"]"#, "Setup BC")
        .await
        .unwrap();
    click(&app, r#"[data-testid="setup-advanced"] summary"#).await;
    both_themes(
        &app,
        &shots,
        r#"[data-testid="register-paths"]"#,
        "01-paths",
    )
    .await;
    both_themes(&app, &shots, r#"[data-testid="setup-form"]"#, "02-form").await;
    both_themes(
        &app,
        &shots,
        r#"[data-testid="setup-sign-in-info"]"#,
        "03-sign-in-explained",
    )
    .await;

    // The robot administrator signs in; every step finishes, Entra's
    // replication waits included.
    click(&app, r#"[data-testid="setup-start"]"#).await;
    let done = expect_text(
        &app,
        &shots,
        r#"[data-testid="setup-done"]"#,
        "The app is registered",
    )
    .await;
    assert!(done.contains("Setup BC"), "{done}");
    for step_id in [
        "CheckRole",
        "FindProduct",
        "Register",
        "ServicePrincipal",
        "Secret",
        "Consent",
    ] {
        let state = app
            .find(&format!(r#"[data-testid="setup-step-{step_id}"]"#))
            .await
            .unwrap()
            .attr("data-state")
            .await
            .unwrap();
        assert_eq!(state.as_deref(), Some("Done"), "{step_id}");
    }
    both_themes(
        &app,
        &shots,
        r#"[data-testid="setup-progress"]"#,
        "04-progress-done",
    )
    .await;
    let client_id = app
        .find(r#"[data-testid="setup-client-id-made"]"#)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let made = sandbox
        .app_registrations()
        .into_iter()
        .find(|a| a.client_id.to_string() == client_id)
        .unwrap_or_else(|| panic!("the sandbox's directory holds no app {client_id}"));
    let secret = made.secrets.first().unwrap().value.clone();
    assert!(
        !screen_text(&app).await.contains(&secret),
        "the new secret is on screen"
    );

    // Business Central's own page: not yet, then the administrator adds
    // the app there, and Check again passes.
    let card = r#"[data-testid="bc-entra-applications"]"#;
    expect_text(&app, &shots, card, &client_id).await;
    click(&app, r#"[data-testid="bc-check-again"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="bc-not-yet"]"#,
        "not registered inside Business Central",
    )
    .await;
    both_themes(&app, &shots, card, "05-bc-page-not-yet").await;
    sandbox.register_in_product(client_id.parse().unwrap(), Resource::BusinessCentral);
    click(&app, r#"[data-testid="bc-check-again"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="bc-accepted"]"#,
        "accepts the app",
    )
    .await;
    both_themes(&app, &shots, card, "06-bc-page-accepted").await;

    // On through the normal steps with the new app.
    click(&app, r#"[data-testid="setup-continue"]"#).await;
    app.wait_for(r#"[data-step="connect"][aria-current="step"]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    shoot(&app, &shots, "07-connect").await;
    step(&app, "environment").await;
    click(&app, r#"[data-testid="environment-Production"] input"#).await;
    app.wait_for(r#"[data-testid="company-CRONUS USA, Inc."]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="company-CRONUS USA, Inc."] input"#).await;
    step(&app, "browse").await;
    app.open_entity("customers").await.unwrap();
    app.wait_for(r#"[data-testid="row-0"]"#, LONG)
        .await
        .unwrap();
    shoot(&app, &shots, "08-browse").await;
    step(&app, "check").await;
    let report = check_and_save_report(&app, &shots).await;
    shoot(&app, &shots, "09-check").await;
    let report = std::fs::read_to_string(report).unwrap();
    assert!(report.contains(&client_id), "the report names the new app");

    // The secret went to the keychain only: no screen, no file. The log
    // holds neither it nor the administrator's codes and tokens.
    assert!(!screen_text(&app).await.contains(&secret));
    assert_in_no_file(&app, &secret);
    let mut secrets = sandbox.issued_tokens();
    secrets.push(secret);
    assert_log_clean(&app, &secrets);
    assert!(app_log(&app).contains("The sign-in listener received the redirect"));
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clerk_who_is_not_an_administrator_hands_setup_to_one() {
    let _window = ONE_WINDOW.lock().await;
    let world = d365_sandbox::world::World::demo();
    // The demo world's second user holds no directory role.
    let clerk = world.users.iter().find(|u| !u.admin).unwrap().clone();
    let sandbox = d365_sandbox::Sandbox::start(world).await.unwrap();
    let e = sandbox.endpoints();
    let (name, robot) = robot_browser();
    let clerk = format!(
        "{robot} --login {} --password {}",
        clerk.upn, clerk.password
    );
    let app = Desktop::launch_with(&[(name, clerk)]).await.unwrap();
    let shots = screenshot_dir("setup-handoff").unwrap();
    // Register: set up by the administrator.
    setup_form(&app, &sandbox, "BackgroundService").await;
    app.type_into(r#"[data-testid="setup-name"]"#, "Handed BC")
        .await
        .unwrap();
    click(&app, r#"[data-testid="setup-start"]"#).await;

    // Refused: said plainly, and the hand-off pack offered instead.
    let why = expect_text(
        &app,
        &shots,
        r#"[data-testid="handoff-why"]"#,
        "An administrator needs to do this",
    )
    .await;
    assert!(why.contains("What to do"), "{why}");
    let script = expect_text(
        &app,
        &shots,
        r#"[data-testid="handoff-script"]"#,
        "Connect-MgGraph",
    )
    .await;
    assert!(script.contains(&e.demo.tenant_id), "{script}");
    both_themes(
        &app,
        &shots,
        r#"[data-testid="handoff-why"]"#,
        "01-not-an-administrator",
    )
    .await;
    both_themes(
        &app,
        &shots,
        r#"[data-testid="handoff-script"]"#,
        "02-script",
    )
    .await;

    let saved_to = app.home().join("register-d365-connect.ps1");
    app.type_into(
        r#"[data-testid="handoff-script-path"]"#,
        &saved_to.display().to_string(),
    )
    .await
    .unwrap();
    click(&app, r#"[data-testid="handoff-save-script"]"#).await;
    app.wait_for(r#"[data-testid="handoff-script-saved"]"#, LONG)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&saved_to).unwrap(),
        script.trim_end().to_string() + "\n"
    );

    // The administrator ran it and sent back its output: here the
    // sandbox's own demo app, written as the script writes it.
    let output = app.home().join("d365-connect-app.json");
    let written = serde_json::json!({
        "tenant": e.demo.tenant_id,
        "clientId": e.demo.client_id,
        "secret": e.demo.client_secret,
        "secretKeyId": "00000000-0000-0000-0000-000000000001",
        "secretHint": "Cr8",
        "secretExpires": "2027-12-04T00:00:00Z",
    });
    std::fs::write(&output, written.to_string()).unwrap();
    app.type_into(
        r#"[data-testid="handoff-output-path"]"#,
        &output.display().to_string(),
    )
    .await
    .unwrap();
    click(&app, r#"[data-testid="handoff-import"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="handoff-imported"]"#,
        "Saved the connection Handed BC",
    )
    .await;
    both_themes(
        &app,
        &shots,
        r#"[data-testid="handoff-imported"]"#,
        "03-imported",
    )
    .await;
    std::fs::remove_file(&output).unwrap();

    click(&app, r#"[data-testid="handoff-continue"]"#).await;
    app.wait_for(r#"[data-step="connect"][aria-current="step"]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    shoot(&app, &shots, "04-connect").await;

    // The imported secret is in the keychain, nowhere in the app's files.
    let secret = e.demo.client_secret.unwrap();
    assert_in_no_file(&app, &secret);
    app.quit().await.unwrap();
}

/// Try the sandbox tenant, then "Set it up for me" for `product` as a
/// background service, up to the product side's card.
async fn set_up_in_the_sandbox_tenant(app: &Desktop, shots: &Path, product: &str, name: &str) {
    click(app, r#"[data-testid="try-sandbox"]"#).await;
    app.wait_for(r#"[data-testid="cloud-custom"]"#, LONG)
        .await
        .unwrap();
    click(app, &format!(r#"[data-testid="product-{product}"] input"#)).await;
    step(app, "register").await;
    click(
        app,
        r#"[data-testid="registration-BackgroundService"] input"#,
    )
    .await;
    click(app, r#"[data-testid="path-setup"] input"#).await;
    app.type_into(r#"[data-testid="setup-name"]"#, name)
        .await
        .unwrap();
    let environment = app
        .find(r#"[data-testid="setup-environment"]"#)
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        environment.starts_with("http://127.0.0.1:"),
        "the sandbox's environment URL is filled in: {environment:?}"
    );
    click(app, r#"[data-testid="setup-start"]"#).await;
    expect_text(
        app,
        shots,
        r#"[data-testid="setup-done"]"#,
        "The app is registered",
    )
    .await;
}

/// Connect as the new app, then every check passes: the product accepts it.
async fn connect_and_check(app: &Desktop, shots: &Path, product_name: &str) {
    click(app, r#"[data-testid="setup-continue"]"#).await;
    app.wait_for(r#"[data-step="connect"][aria-current="step"]"#, LONG)
        .await
        .unwrap();
    click(app, r#"[data-testid="connect"]"#).await;
    expect_text(
        app,
        shots,
        r#"[data-testid="token-verdict"]"#,
        &format!("This token can call {product_name}"),
    )
    .await;
    step(app, "check").await;
    click(app, r#"[data-testid="run-checks"]"#).await;
    expect_checks_pass(app, shots).await;
    let in_product = app
        .find(r#"[data-testid="check-in-product"]"#)
        .await
        .unwrap()
        .attr("data-status")
        .await
        .unwrap();
    assert_eq!(in_product.as_deref(), Some("Pass"));
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_dataverse_and_fno_background_services_in_the_sandbox_tenant() {
    let _window = ONE_WINDOW.lock().await;
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("setup-dataverse-fno").unwrap();
    theme(&app, "light").await;

    // Dataverse: an application user with the suggested role.
    set_up_in_the_sandbox_tenant(&app, &shots, "Dataverse", "Setup Dataverse").await;
    let card = r#"[data-testid="dataverse-application-user"]"#;
    let suggested = r#"[data-testid="dataverse-application-user"] .choice:has(input:checked)"#;
    let chosen = expect_text(&app, &shots, suggested, "Suggested").await;
    assert!(!chosen.contains("System Administrator"), "{chosen}");
    both_themes(&app, &shots, card, "01-dataverse-roles").await;
    click(&app, r#"[data-testid="dataverse-create-user"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="dataverse-user-ready"]"#,
        "the application user with the role",
    )
    .await;
    both_themes(&app, &shots, card, "02-dataverse-user-ready").await;
    connect_and_check(&app, &shots, "Dataverse").await;
    shoot(&app, &shots, "03-dataverse-checks").await;
    // Connect saved the connection again; what setup did inside the
    // product is still on file.
    let profiles = app
        .invoke_with("list_profiles", serde_json::json!({}))
        .await
        .unwrap();
    let saved = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Setup Dataverse")
        .unwrap();
    assert!(
        saved["profile"]["setup"]["product_side"]
            .as_str()
            .is_some_and(|s| s.contains("application user")),
        "{saved}"
    );

    // Finance & Operations: the Entra applications page, acting as a user.
    click(&app, ".brand").await;
    set_up_in_the_sandbox_tenant(&app, &shots, "FinanceOperations", "Setup FO").await;
    let card = r#"[data-testid="fno-entra-applications"]"#;
    click(
        &app,
        r#"[data-testid="fno-entra-applications"] .choice input"#,
    )
    .await;
    both_themes(&app, &shots, card, "04-fno-users").await;
    click(&app, r#"[data-testid="fno-add-app"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="fno-app-added"]"#,
        "Microsoft Entra applications page",
    )
    .await;
    both_themes(&app, &shots, card, "05-fno-app-added").await;
    connect_and_check(&app, &shots, "Finance & Operations").await;
    shoot(&app, &shots, "06-fno-checks").await;

    // The start page checks both at once, each row saying how it came out.
    click(&app, ".brand").await;
    click(&app, r#"[data-testid="check-all"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="fleet-summary"]"#,
        "Checked 2 connections: 2 passed.",
    )
    .await;
    for name in ["Setup Dataverse", "Setup FO"] {
        let line = format!(r#"[data-testid="profile-{name}"] .last-check"#);
        let said = expect_text(&app, &shots, &line, " passed").await;
        assert!(
            said.starts_with("Checked ") && !said.contains("failed"),
            "{said}"
        );
    }
    shoot(&app, &shots, "07-start-check-all").await;

    // The report of both, saved through the platform's dialog where and
    // as it suggests.
    let fleet = r#"[data-testid="fleet-report"]"#;
    click(&app, &format!(r#"{fleet} [data-testid="save-report"]"#)).await;
    let dialog = save_dialog(&app, "Save the report of every connection").await;
    dialog
        .screenshot(&shots, "08-fleet-report-save-dialog")
        .unwrap();
    dialog.accept().unwrap();
    let saved = r#"[data-testid="fleet-report"] [data-testid="report-saved"]"#;
    expect_text(&app, &shots, saved, "Saved to").await;
    let report = saved_with_suggested_name(&app, saved, "check report", "html").await;
    assert!(
        report
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("All connections - ")),
        "{}",
        report.display()
    );
    let html = std::fs::read_to_string(&report).unwrap();
    for name in ["Setup Dataverse", "Setup FO"] {
        assert!(html.contains(name), "the fleet report lacks {name}");
    }
    // Entra's secrets have `Q~` at their fourth character; tokens are JWTs.
    assert!(
        !html.contains("Q~") && !html.contains("eyJ"),
        "a secret or token is in the fleet report"
    );
    scroll_to(&app, fleet).await;
    four_ways(&app, &shots, "09-start-fleet-report-saved").await;
    open_and_show(&app, saved, &report).await;
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_expiring_soon_is_replaced_from_the_start_page() {
    let _window = ONE_WINDOW.lock().await;
    let sandbox = d365_sandbox::Sandbox::start(d365_sandbox::world::World::demo())
        .await
        .unwrap();
    let e = sandbox.endpoints();
    let client_id = e.demo.client_id.clone().unwrap();
    let secrets_of = |client_id: &str| {
        sandbox
            .app_registrations()
            .into_iter()
            .find(|a| a.client_id.to_string() == client_id)
            .unwrap()
            .secrets
    };
    let old = secrets_of(&client_id).first().unwrap().clone();
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("setup-replace-secret").unwrap();
    theme(&app, "light").await;
    app.wait_for(r#"[data-testid="start-page"]"#, LONG)
        .await
        .unwrap();

    // A background service whose secret (its Secret ID known, as setup
    // saves it) ends in ten days.
    let profile = json!({
        "name": "Renewal",
        "product": "BusinessCentral",
        "cloud": sandbox_cloud(&e),
        "tenant": e.demo.tenant_id,
        "client_id": client_id,
        "registration": "BackgroundService",
        "scopes": [],
        "environment": "Production",
        "company": null,
        "secret": { "key_id": old.id.to_string(), "hint": null, "expires_on": utc_date_in(10) }
    });
    app.invoke_with(
        "save_profile",
        json!({ "profile": profile, "secret": e.demo.client_secret }),
    )
    .await
    .unwrap();
    for css in [r#"[data-testid="new-connection"]"#, ".brand"] {
        click(&app, css).await;
    }
    let row = r#"[data-testid="profile-Renewal"]"#;
    let line = format!("{row} [data-testid=\"secret-expiry\"]");
    expect_text(&app, &shots, &line, "Secret expires in 10 days").await;
    both_themes(&app, &shots, row, "01-start-expiring").await;

    click(
        &app,
        &format!("{row} [data-testid=\"replace-secret-offer\"]"),
    )
    .await;
    let panel = r#"[data-testid="replace-secret"]"#;
    let why = expect_text(
        &app,
        &shots,
        &format!("{panel} [data-testid=\"setup-sign-in-info\"]"),
        "Microsoft Graph Command Line Tools",
    )
    .await;
    assert!(why.contains("remove the old one"), "{why}");
    both_themes(&app, &shots, panel, "02-replace-explained").await;

    // The robot administrator signs in; the new secret is proven before
    // the old one goes.
    click(&app, r#"[data-testid="replace-secret-start"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="replace-secret-done"]"#,
        "The old secret was removed from the app.",
    )
    .await;
    both_themes(&app, &shots, panel, "03-replaced").await;
    let now = secrets_of(&client_id);
    assert!(now.iter().all(|s| s.id != old.id), "the old secret is gone");
    let new = now.first().unwrap().value.clone();
    assert_eq!(now.len(), 1);
    assert!(
        !screen_text(&app).await.contains(&new),
        "the new secret is on screen"
    );
    // Twelve months by default: 365 or 366 days.
    expect_text(&app, &shots, &line, "Secret expires in 36").await;
    assert_eq!(expiry_state(&app, &line).await, "Fine");

    // The connection works with the secret the keychain now holds.
    click(&app, r#"[data-testid="replace-secret-close"]"#).await;
    click(&app, &format!("{row} [data-testid=\"open-profile\"]")).await;
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    shoot(&app, &shots, "04-connect-light").await;
    assert_in_no_file(&app, &new);
    app.quit().await.unwrap();
}

/// Business Central for people who sign in, set up by the administrator,
/// stopped halfway while Entra is still copying the new app, then run
/// again: the second run finds the app by name and completes it, no
/// duplicate is made, and the administrator signs in with it.
#[tokio::test(flavor = "multi_thread")]
async fn a_setup_stopped_halfway_is_completed_by_running_it_again() {
    let _window = ONE_WINDOW.lock().await;
    let sandbox = d365_sandbox::Sandbox::start(d365_sandbox::world::World::demo())
        .await
        .unwrap();
    // Long enough to stop setup while it waits for the copy.
    sandbox.set_replication_delay(std::time::Duration::from_secs(60));
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("setup-stopped-and-rerun").unwrap();
    // Register: set up by the administrator.
    setup_form(&app, &sandbox, "SignInWithoutSecret").await;
    app.type_into(r#"[data-testid="setup-name"]"#, "People BC")
        .await
        .unwrap();
    app.wait_for(r#"[data-testid="setup-sign-in-info"]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="setup-start"]"#).await;
    let waiting = r#"[data-testid="setup-step-ServicePrincipal"][data-state="Waiting"]"#;
    expect_text(&app, &shots, waiting, "still copying").await;
    both_themes(
        &app,
        &shots,
        r#"[data-testid="setup-progress"]"#,
        "01-waiting",
    )
    .await;
    click(&app, r#"[data-testid="setup-cancel"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="setup-for-me"] .error-panel"#,
        "Setup was stopped.",
    )
    .await;
    both_themes(
        &app,
        &shots,
        r#"[data-testid="setup-for-me"]"#,
        "02-stopped",
    )
    .await;
    let named = |sandbox: &d365_sandbox::SandboxHandle| {
        sandbox
            .app_registrations()
            .into_iter()
            .filter(|a| a.display_name == "D365 Connect - Business Central (people sign in)")
            .count()
    };
    assert_eq!(named(&sandbox), 1, "the first run made the app");

    // Entra catches up; the same button runs setup again. Caught up means
    // the first run's app is visible now: with any delay left, a re-run
    // within it cannot see the app yet and makes a second one (a failure
    // seen when the steps above took under a second).
    sandbox.set_replication_delay(std::time::Duration::ZERO);
    click(&app, r#"[data-testid="setup-start"]"#).await;
    let done = expect_text(
        &app,
        &shots,
        r#"[data-testid="setup-done"]"#,
        "found the app from an earlier setup",
    )
    .await;
    assert!(done.contains("People BC"), "{done}");
    both_themes(
        &app,
        &shots,
        r#"[data-testid="setup-done"]"#,
        "03-completed",
    )
    .await;
    assert_eq!(named(&sandbox), 1, "no duplicate app");

    // The new app signs the administrator in, and every check passes.
    click(&app, r#"[data-testid="setup-continue"]"#).await;
    app.wait_for(r#"[data-step="connect"][aria-current="step"]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    step(&app, "environment").await;
    click(&app, r#"[data-testid="environment-Production"] input"#).await;
    app.wait_for(r#"[data-testid="company-CRONUS USA, Inc."]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="company-CRONUS USA, Inc."] input"#).await;
    step(&app, "check").await;
    check_and_save_report(&app, &shots).await;
    shoot(&app, &shots, "04-check").await;
    app.quit().await.unwrap();
}
