//! The real app in a real window (Xvfb + tauri-driver + WebKitWebDriver)
//! against the sandbox tenant the app starts itself: the journeys a person
//! takes, with a screenshot of every step in light and dark under
//! `<target>/e2e-screenshots/<journey>/`.

// A failed step should stop the test right there, with its location.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use d365_e2e::desktop::{screenshot_dir, Desktop};
use d365_e2e::journey::{
    app_log, assert_in_no_file, assert_log_clean, cancel_save_dialog, check_and_save_report, click,
    expect_checks_pass, expect_text, expiry_state, four_ways, open_and_show, press, robot_browser,
    rows_loaded, save_dialog, screen_text, scroll_table_to_the_end, scroll_to, shoot, step, tab_to,
    table_open, theme, ALT_RIGHT, ENTER, LONG, ONE_WINDOW, SHORT, SPACE, STEPS,
};
use d365_e2e::{files_under, utc_date_in};

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_business_central_as_a_background_service_from_start_to_report() {
    let _window = ONE_WINDOW.lock().await;
    let app = Desktop::launch().await.unwrap();
    let shots = screenshot_dir("bc-background-service").unwrap();
    assert_eq!(app.client.title().await.unwrap(), "D365 Connect");
    theme(&app, "light").await;
    app.wait_for(r#"[data-testid="start-page"]"#, SHORT)
        .await
        .unwrap();
    shoot(&app, &shots, "00-start-light").await;

    click(&app, r#"[data-testid="try-sandbox"]"#).await;
    app.wait_for(r#"[data-testid="cloud-custom"]"#, LONG)
        .await
        .unwrap();
    shoot(&app, &shots, "01-product-light").await;
    step(&app, "register").await;
    app.wait_for(r#"[data-testid="guide-step-1"]"#, SHORT)
        .await
        .unwrap();
    shoot(&app, &shots, "02-register-light").await;
    step(&app, "credentials").await;
    let tenant = app
        .find(r#"[data-testid="tenant"]"#)
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(tenant.len(), 36, "the sandbox's tenant is filled in");
    shoot(&app, &shots, "03-credentials-light").await;
    scroll_to(&app, r#"[data-testid="network-settings"]"#).await;
    shoot(&app, &shots, "03-network-settings-light").await;
    step(&app, "permissions").await;
    app.wait_for(r#"[data-testid="permission-API.ReadWrite.All"]"#, SHORT)
        .await
        .unwrap();
    shoot(&app, &shots, "04-permissions-light").await;

    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    shoot(&app, &shots, "05-connect-light").await;

    step(&app, "environment").await;
    click(&app, r#"[data-testid="environment-Production"] input"#).await;
    app.wait_for(r#"[data-testid="company-CRONUS USA, Inc."]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="company-CRONUS USA, Inc."] input"#).await;
    shoot(&app, &shots, "06-environment-light").await;

    step(&app, "browse").await;
    app.open_entity("customers").await.unwrap();
    // Counted in one wording, grouped even where WebKit's locale is POSIX.
    let count = table_open(&app, &shots).await;
    assert_eq!(count, "2,500 rows · 1,000 loaded");
    // What people read comes first; the GUID key goes last.
    let headers = column_ids(&app).await;
    assert_eq!(
        headers.first().map(String::as_str),
        Some("col-number"),
        "{headers:?}"
    );
    assert_eq!(
        headers.last().map(String::as_str),
        Some("col-id"),
        "{headers:?}"
    );
    shoot(&app, &shots, "07-browse-light").await;

    page_filter_record_export(
        &app,
        &shots,
        (
            "startswith(displayName,'A')",
            "Display name starts with “A”",
        ),
    )
    .await;

    // The same customers through the web service the admin published
    // (docs/microsoft.md §5): its own page, field names and key.
    app.open_entity("ODataV4/Customers").await.unwrap();
    expect_text(&app, &shots, ".entity-head", "Web service").await;
    app.wait_for(r#"[data-testid="row-0"]"#, LONG)
        .await
        .unwrap();
    // WebDriver's element text of a grid row is empty in WebKit; its
    // content is what the row holds.
    let first = app
        .client
        .execute(
            "return document.querySelector('[data-testid=row-0]').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        first.as_str().unwrap_or_default().starts_with("C0000010"),
        "{first}"
    );
    shoot(&app, &shots, "07b-web-service-light").await;

    step(&app, "check").await;
    let report = check_and_save_report(&app, &shots).await;
    shoot(&app, &shots, "11-check-light").await;
    assert!(std::fs::read_to_string(&report)
        .unwrap()
        .contains("All checks passed."));

    // Every step again in the other theme, then at the smallest window
    // size in both (dark last: what follows is dark).
    every_step(&app, &shots, "dark", "1200x800", 41).await;
    app.client.set_window_size(1024, 700).await.unwrap();
    every_step(&app, &shots, "light", "1024x700", 61).await;
    every_step(&app, &shots, "dark", "1024x700", 21).await;
    // "Hide step names" gives the table the names' width.
    step(&app, "browse").await;
    let grid_width = |app: &Desktop| {
        let client = app.client.clone();
        async move {
            client
                .execute(
                    "return document.querySelector('[role=grid]').getBoundingClientRect().width;",
                    vec![],
                )
                .await
                .unwrap()
                .as_f64()
                .unwrap()
        }
    };
    let wide = grid_width(&app).await;
    click(&app, r#"[data-testid="compact-steps"]"#).await;
    let wider = grid_width(&app).await;
    assert!(
        wider >= wide + 150.0,
        "the table went from {wide} to {wider} px"
    );
    four_ways(&app, &shots, "27e-browse-compact-steps").await;
    click(&app, r#"[data-testid="compact-steps"]"#).await;
    app.client.set_window_size(1024, 700).await.unwrap();
    theme(&app, "dark").await;
    // The record panel still sits beside the grid in the smallest window.
    step(&app, "browse").await;
    click(&app, r#"[data-testid="row-0"]"#).await;
    record_beside_the_grid(&app).await;
    shoot(&app, &shots, "27b-record-dark-1024x700").await;
    click(&app, r#"[data-testid="record-close"]"#).await;
    // The export's and the report's result lines in the smallest window.
    let out = app.home().join("home/Documents/customers-dark.csv");
    export_to(&app, &shots, &out, "27c-export-save-dialog-dark").await;
    shoot(&app, &shots, "27d-export-dark-1024x700").await;
    click(&app, r#"[data-testid="export-close"]"#).await;
    step(&app, "check").await;
    click(&app, r#"[data-testid="save-report"]"#).await;
    let report = app.home().join("home/Documents/report-dark.html");
    save_dialog(&app, "Save the check report")
        .await
        .save_as(&report)
        .unwrap();
    expect_text(
        &app,
        &shots,
        r#"[data-testid="report-saved"]"#,
        "report-dark.html",
    )
    .await;
    scroll_to(&app, r#"[data-testid="report-saved"]"#).await;
    shoot(&app, &shots, "28b-report-saved-dark-1024x700").await;
    assert!(report.is_file());
    step(&app, "credentials").await;
    scroll_to(&app, r#"[data-testid="network-settings"]"#).await;
    shoot(&app, &shots, "23b-network-settings-dark-1024x700").await;
    click(&app, ".brand").await;
    app.wait_for(r#"[data-testid="profile-CRONUS sandbox"]"#, SHORT)
        .await
        .unwrap();
    four_ways(&app, &shots, "30-start").await;

    // Nothing secret reached the app's files.
    assert_in_no_file(&app, "Cr8Q~");
    app.quit().await.unwrap();
}

/// Every step in `theme_name` at the window's size, shot as
/// "<n>-<step>-<theme>-<size>" from `first` on, with Next in view on each.
async fn every_step(app: &Desktop, shots: &Path, theme_name: &str, size: &str, first: usize) {
    theme(app, theme_name).await;
    for (i, id) in STEPS.iter().enumerate() {
        step(app, id).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        shoot(
            app,
            shots,
            &format!("{:02}-{id}-{theme_name}-{size}", i + first),
        )
        .await;
        let fits = app
            .client
            .execute(
                "const r = document.querySelector('[data-testid=next]').getBoundingClientRect(); return r.bottom <= window.innerHeight && r.right <= window.innerWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(fits, true, "the footer is cut off on {id} at {size}");
    }
    // The entity's title and its row count share a line only when both fit.
    step(app, "browse").await;
    let apart = app
        .client
        .execute(
            "const a = document.querySelector('.entity-title').getBoundingClientRect(); const b = document.querySelector('[data-testid=row-count]').getBoundingClientRect(); return a.right <= b.left || b.top >= a.bottom;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(apart, true, "the title covers the row count at {size}");
}

/// The admin types the Expires date of a secret that stops working in 10
/// days on the Credentials step; the token panel, the start page and the
/// checks then say so as a warning (the connection still works), in light
/// and dark.
#[tokio::test(flavor = "multi_thread")]
async fn a_secret_expiring_in_ten_days_is_flagged_on_the_token_panel_and_the_start_page() {
    let _window = ONE_WINDOW.lock().await;
    let app = Desktop::launch().await.unwrap();
    let shots = screenshot_dir("secret-expiry").unwrap();
    let line = "Secret expires in 10 days";
    theme(&app, "light").await;
    click(&app, r#"[data-testid="try-sandbox"]"#).await;
    app.wait_for(r#"[data-testid="cloud-custom"]"#, LONG)
        .await
        .unwrap();
    step(&app, "credentials").await;
    let expires = utc_date_in(10);
    type_date(&app, r#"[data-testid="secret-expires"]"#, &expires).await;
    app.type_into(
        r#"[data-testid="secret-id"]"#,
        "9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02",
    )
    .await
    .unwrap();
    expect_text(&app, &shots, r#"[data-testid="secret-expiry"]"#, line).await;
    scroll_to(&app, r#"[data-testid="secret-id"]"#).await;
    shoot(&app, &shots, "03-credentials-light").await;

    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    let panel = r#"[data-testid="token-panel"] [data-testid="secret-expiry"]"#;
    expect_text(&app, &shots, panel, line).await;
    assert_eq!(expiry_state(&app, panel).await, "ExpiringSoon");
    shoot(&app, &shots, "05-token-panel-light").await;

    click(&app, ".brand").await;
    let saved = r#"[data-testid="profile-CRONUS sandbox"] [data-testid="secret-expiry"]"#;
    expect_text(&app, &shots, saved, line).await;
    assert_eq!(expiry_state(&app, saved).await, "ExpiringSoon");
    shoot(&app, &shots, "00-start-light").await;
    theme(&app, "dark").await;
    shoot(&app, &shots, "00-start-dark").await;

    click(
        &app,
        r#"[data-testid="profile-CRONUS sandbox"] [data-testid="open-profile"]"#,
    )
    .await;
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(&app, &shots, panel, line).await;
    shoot(&app, &shots, "05-token-panel-dark").await;

    // A warning, not a failure: the secret still works today.
    step(&app, "check").await;
    click(&app, r#"[data-testid="run-checks"]"#).await;
    let summary = expect_text(
        &app,
        &shots,
        r#"[data-testid="checks-summary"]"#,
        "1 warning",
    )
    .await;
    assert!(!summary.contains("failed"), "{summary}");
    let check = r#"[data-testid="check-secret-expiry"]"#;
    let said = expect_text(&app, &shots, check, "expires in 10 days").await;
    assert!(
        said.contains(&format!("Replace the secret before {expires}")),
        "{said}"
    );
    let status = app
        .find(check)
        .await
        .unwrap()
        .attr("data-status")
        .await
        .unwrap();
    assert_eq!(status.as_deref(), Some("Warn"));
    scroll_to(&app, check).await;
    shoot(&app, &shots, "08-check-dark").await;
    app.quit().await.unwrap();
}

/// Types a date into a date field as a person does: day, month and year in
/// the order the window's language writes dates in, each part ended by a
/// separator (WebKit's field moves on to the next part at it).
async fn type_date(app: &Desktop, css: &str, iso: &str) {
    let order = app
        .client
        .execute(
            "return new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date()).filter(p => p.type !== 'literal').map(p => p.type);",
            vec![],
        )
        .await
        .unwrap();
    let (year, rest) = iso.split_once('-').unwrap();
    let (month, day) = rest.split_once('-').unwrap();
    let typed = order
        .as_array()
        .unwrap()
        .iter()
        .map(|part| match part.as_str() {
            Some("year") => year,
            Some("month") => month,
            _ => day,
        })
        .collect::<Vec<_>>()
        .join("/");
    let field = app.find(css).await.unwrap();
    // Clearing focuses the first part, wherever a click would land.
    field.clear().await.unwrap();
    field.send_keys(&typed).await.unwrap();
    let value = app.find(css).await.unwrap().prop("value").await.unwrap();
    assert_eq!(value.as_deref(), Some(iso), "typed {typed} in {order}");
}

/// The expiry state a secret line shows (`data-state`).
/// The grid's columns, in order, by test id (`col-number`).
async fn column_ids(app: &Desktop) -> Vec<String> {
    let ids = app
        .client
        .execute(
            "return [...document.querySelectorAll('[role=columnheader]')].map(h => h.dataset.testid);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(ids).unwrap()
}

/// Waits for the record panel and checks it is beside the grid, not over it.
async fn record_beside_the_grid(app: &Desktop) {
    app.wait_for(r#"[data-testid="record-panel"]"#, SHORT)
        .await
        .unwrap();
    let beside = app
        .client
        .execute(
            "const g = document.querySelector('[data-testid=table-scroll]').getBoundingClientRect(); const p = document.querySelector('[data-testid=record-panel]').getBoundingClientRect(); return p.left >= g.right && g.width > 0;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(beside, true, "the record panel covers the grid");
}

/// What a person does with an open table to trust it: scrolls until a
/// second page is appended, filters with the raw expression (`filter.0`),
/// sees it folded into one line that reads `filter.1`, opens a record, and
/// exports the filtered rows to CSV, typing the path into the platform's
/// save dialog — the file must hold as many rows as the dialog says — then
/// opens it and shows it in its folder. Screenshots 08–10 are taken four
/// ways: light and dark at both window sizes.
async fn page_filter_record_export(app: &Desktop, shots: &Path, (filter, in_words): (&str, &str)) {
    let first = rows_loaded(app).await;
    for _ in 0..50 {
        scroll_table_to_the_end(app).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        if rows_loaded(app).await > first {
            break;
        }
    }
    assert!(
        rows_loaded(app).await > first,
        "scrolling loaded the second page"
    );

    click(app, r#"[data-testid="filter-button"]"#).await;
    app.type_into(r#"[data-testid="filter-raw"]"#, filter)
        .await
        .unwrap();
    click(app, r#"[data-testid="filter-apply"]"#).await;
    app.wait_for(r#"[data-testid="row-0"]"#, LONG)
        .await
        .unwrap();
    expect_text(app, shots, r#"[data-testid="filter-summary"]"#, in_words).await;
    four_ways(app, shots, "08-browse-filtered").await;

    click(app, r#"[data-testid="row-0"]"#).await;
    record_beside_the_grid(app).await;
    four_ways(app, shots, "09-record").await;
    click(app, r#"[data-testid="record-close"]"#).await;

    let out = app.home().join("filtered.csv");
    let said = export_to(app, shots, &out, "10a-export-save-dialog").await;
    four_ways(app, shots, "10-export").await;
    open_and_show(app, r#"[data-testid="export-result"]"#, &out).await;
    click(app, r#"[data-testid="export-close"]"#).await;
    let text = std::fs::read_to_string(&out).unwrap();
    let rows = text.lines().count() - 1;
    assert!(rows > 0);
    assert!(
        said.replace(',', "").contains(&rows.to_string()),
        "the dialog says {said:?}, the file has {rows} rows"
    );
}

/// Exports the open table through the export dialog and the platform's
/// save dialog (a screenshot of the screen named `dialog_shot` while it is
/// open), typing `out`; returns the result line once it says the rows.
async fn export_to(app: &Desktop, shots: &Path, out: &Path, dialog_shot: &str) -> String {
    click(app, r#"[data-testid="export-button"]"#).await;
    click(app, r#"[data-testid="export-start"]"#).await;
    let dialog = save_dialog(app, "Export ").await;
    dialog.screenshot(shots, dialog_shot).unwrap();
    dialog.save_as(out).unwrap();
    let said = expect_text(app, shots, r#"[data-testid="export-result"]"#, "rows").await;
    assert!(said.contains(&out.display().to_string()), "{said}");
    said
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_business_central_signing_in_through_the_browser() {
    let _window = ONE_WINDOW.lock().await;
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("bc-sign-in").unwrap();
    click(&app, r#"[data-testid="try-sandbox"]"#).await;
    app.wait_for(r#"[data-testid="cloud-custom"]"#, LONG)
        .await
        .unwrap();
    step(&app, "register").await;
    click(
        &app,
        r#"[data-testid="registration-SignInWithoutSecret"] input"#,
    )
    .await;
    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    let verdict = expect_text(
        &app,
        &shots,
        r#"[data-testid="token-panel"]"#,
        "This token can call Business Central.",
    )
    .await;
    assert!(
        verdict.contains("admin@cronus-demo.onmicrosoft.com"),
        "{verdict}"
    );
    shoot(&app, &shots, "05-connect-signed-in").await;
    step(&app, "environment").await;
    app.wait_for(r#"[data-testid="environment-Production"]"#, LONG)
        .await
        .unwrap();
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_is_explained_then_corrected_and_the_browser_sign_in_works() {
    let _window = ONE_WINDOW.lock().await;
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("bc-wrong-secret").unwrap();
    click(&app, r#"[data-testid="try-sandbox"]"#).await;
    app.wait_for(r#"[data-testid="cloud-custom"]"#, LONG)
        .await
        .unwrap();
    step(&app, "register").await;
    click(
        &app,
        r#"[data-testid="registration-SignInWithSecret"] input"#,
    )
    .await;
    step(&app, "credentials").await;
    let right = app
        .find(r#"[data-testid="client-secret"]"#)
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    app.type_into(r#"[data-testid="client-secret"]"#, "not-the-value~123")
        .await
        .unwrap();
    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    let alert = expect_text(
        &app,
        &shots,
        r#"[role="alert"]"#,
        "rejected the client secret",
    )
    .await;
    assert!(
        alert.contains("Value"),
        "the fix says to copy the Value: {alert}"
    );
    shoot(&app, &shots, "05-connect-wrong-secret").await;

    step(&app, "credentials").await;
    app.type_into(r#"[data-testid="client-secret"]"#, &right)
        .await
        .unwrap();
    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    let panel = expect_text(
        &app,
        &shots,
        r#"[data-testid="token-panel"]"#,
        "This token can call Business Central.",
    )
    .await;
    assert!(
        panel.contains("admin@cronus-demo.onmicrosoft.com"),
        "{panel}"
    );
    shoot(&app, &shots, "05-connect-corrected").await;

    // Signed in as the admin, on to the data.
    step(&app, "environment").await;
    click(&app, r#"[data-testid="environment-Production"] input"#).await;
    app.wait_for(r#"[data-testid="company-CRONUS USA, Inc."]"#, LONG)
        .await
        .unwrap();
    click(&app, r#"[data-testid="company-CRONUS USA, Inc."] input"#).await;
    step(&app, "browse").await;
    app.open_entity("items").await.unwrap();
    table_open(&app, &shots).await;
    shoot(&app, &shots, "07-browse").await;
    page_filter_record_export(
        &app,
        &shots,
        ("inventory lt 100", "Inventory is less than 100"),
    )
    .await;
    app.quit().await.unwrap();
}

/// Opens the sandbox for a product, connects (as the app, or signing in
/// through the browser), picks the first environment and company, and reads
/// an entity: its first page and a record.
async fn product_journey(
    product: &str,
    entity: &str,
    filter: (&str, &str),
    suite: &str,
    delegated: bool,
) {
    let _window = ONE_WINDOW.lock().await;
    let env: Vec<(&str, String)> = if delegated {
        vec![robot_browser()]
    } else {
        vec![]
    };
    let app = Desktop::launch_with(&env).await.unwrap();
    let shots = screenshot_dir(suite).unwrap();
    click(&app, r#"[data-testid="try-sandbox"]"#).await;
    click(&app, &format!(r#"[data-testid="product-{product}"] input"#)).await;
    if delegated {
        step(&app, "register").await;
        click(
            &app,
            r#"[data-testid="registration-SignInWithoutSecret"] input"#,
        )
        .await;
        // Delegated permissions, said in words, the recommended set ticked.
        step(&app, "permissions").await;
        four_ways(&app, &shots, "04-permissions-delegated").await;
    }
    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call",
    )
    .await;
    shoot(&app, &shots, "05-connect").await;
    step(&app, "environment").await;
    click(&app, r#"[data-testid="environments"] input"#).await;
    click(&app, r#"[data-testid="companies"] input"#).await;
    shoot(&app, &shots, "06-environment").await;
    step(&app, "browse").await;
    app.open_entity(entity).await.unwrap();
    table_open(&app, &shots).await;
    shoot(&app, &shots, "07-browse").await;
    page_filter_record_export(&app, &shots, filter).await;
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn finance_and_operations_as_a_background_service() {
    product_journey(
        "FinanceOperations",
        "CustomersV3",
        ("CustomerGroupId eq '10'", "Customer group ID equals “10”"),
        "fno-background-service",
        false,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dataverse_signing_in_with_a_public_app() {
    product_journey(
        "Dataverse",
        "accounts",
        ("customertypecode eq 8", "Relationship Type is Prospect"),
        "dataverse-sign-in",
        true,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_not_registered_inside_business_central_gets_the_steps_to_fix_it() {
    let _window = ONE_WINDOW.lock().await;
    // A tenant whose app was never added on BC's "Microsoft Entra
    // Applications" page (docs/microsoft.md §5).
    let mut world = d365_sandbox::world::World::demo();
    world.apps[0].registered_in_product.clear();
    let sandbox = d365_sandbox::Sandbox::start(world).await.unwrap();
    let client_id = sandbox.endpoints().demo.client_id.unwrap();
    let app = Desktop::launch().await.unwrap();
    let shots = screenshot_dir("bc-not-registered").unwrap();
    app.open_saved_profile(&sandbox, "Fabrikam BC", "ClientCredentials")
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
    // The token is fine; Business Central itself refuses the app, and the
    // Environment step says what to do there.
    let alert = expect_text(
        &app,
        &shots,
        r#"[data-testid="environments"] [role="alert"]"#,
        "not registered inside Business Central",
    )
    .await;
    assert!(
        alert.contains("Microsoft Entra Applications") && alert.contains(&client_id),
        "{alert}"
    );
    shoot(&app, &shots, "06-environment-not-registered").await;

    // The admin follows the steps in Business Central, then tries again:
    // the environment and its companies appear, and the data reads.
    sandbox.register_in_product(
        client_id.parse().unwrap(),
        d365_sandbox::resources::Resource::BusinessCentral,
    );
    click(&app, r#"[data-testid="environments-retry"]"#).await;
    click(&app, r#"[data-testid="environment-Production"] input"#).await;
    click(&app, r#"[data-testid="company-CRONUS USA, Inc."] input"#).await;
    shoot(&app, &shots, "06-environment-registered").await;
    step(&app, "browse").await;
    app.open_entity("salesInvoices").await.unwrap();
    table_open(&app, &shots).await;
    shoot(&app, &shots, "07-browse").await;
    page_filter_record_export(
        &app,
        &shots,
        (
            "totalAmountIncludingTax gt 1000",
            "Total amount including tax is greater than 1000",
        ),
    )
    .await;
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_nobody_consented_to_is_sent_to_the_admin_center_for_admin_consent() {
    let _window = ONE_WINDOW.lock().await;
    // The app lists API.ReadWrite.All, but "Grant admin consent" was never
    // clicked: Entra still issues a token, without roles (docs/microsoft.md §4).
    let mut world = d365_sandbox::world::World::demo();
    world.apps[0].admin_consent = false;
    let client_id = world.apps[0].client_id;
    let sandbox = d365_sandbox::Sandbox::start(world).await.unwrap();
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("bc-admin-consent").unwrap();
    app.open_saved_profile(&sandbox, "Northwind BC", "ClientCredentials")
        .await
        .unwrap();
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token cannot call Business Central.",
    )
    .await;
    // A background service has no redirect URI for Entra's consent page
    // (AADSTS500113, docs/sandbox-fidelity.md §G1): no button, the admin
    // center's "Grant admin consent for …" instead.
    let card = expect_text(
        &app,
        &shots,
        r#"[data-testid="admin-consent-card"]"#,
        "Grant admin consent for",
    )
    .await;
    assert!(card.contains("API permissions"), "{card}");
    assert!(app.find(r#"[data-testid="admin-consent"]"#).await.is_err());
    scroll_to(&app, r#"[data-testid="admin-consent-card"]"#).await;
    shoot(&app, &shots, "05-connect-no-consent").await;

    // The administrator clicks it in the admin center; Connect again.
    sandbox.grant_admin_consent(client_id);
    click(&app, r#"[data-testid="connect"]"#).await;
    let panel = expect_text(
        &app,
        &shots,
        r#"[data-testid="token-panel"]"#,
        "This token can call Business Central.",
    )
    .await;
    assert!(panel.contains("API.ReadWrite.All"), "{panel}");
    assert!(app
        .find(r#"[data-testid="admin-consent-card"]"#)
        .await
        .is_err());
    shoot(&app, &shots, "05-connect-consented").await;
    step(&app, "environment").await;
    click(&app, r#"[data-testid="environment-Production"] input"#).await;
    app.wait_for(r#"[data-testid="company-CRONUS USA, Inc."]"#, LONG)
        .await
        .unwrap();
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn when_no_browser_opens_the_sign_in_link_is_shown_to_copy_and_works() {
    let _window = ONE_WINDOW.lock().await;
    // A desktop whose browser cannot be started: the link is the way out.
    let app = Desktop::launch_with(&[("BROWSER", "/no/such/browser".to_string())])
        .await
        .unwrap();
    let shots = screenshot_dir("copy-sign-in-link").unwrap();
    click(&app, r#"[data-testid="try-sandbox"]"#).await;
    step(&app, "register").await;
    click(
        &app,
        r#"[data-testid="registration-SignInWithoutSecret"] input"#,
    )
    .await;
    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    let link = expect_text(&app, &shots, ".sign-in-link code", "http").await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="connect-progress"]"#,
        "Copy the sign-in link",
    )
    .await;
    shoot(&app, &shots, "05-connect-copy-link").await;
    // The person pastes the link into a browser elsewhere and signs in.
    let visit = d365_sandbox::robot::visit(link.trim(), &d365_sandbox::robot::Persona::demo())
        .await
        .unwrap();
    assert!(visit.reached_the_app(), "{visit}");
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    shoot(&app, &shots, "05-connect-signed-in").await;
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wizard_can_be_walked_with_the_keyboard_alone() {
    let _window = ONE_WINDOW.lock().await;
    let app = Desktop::launch().await.unwrap();
    let shots = screenshot_dir("keyboard-only").unwrap();
    app.wait_for(r#"[data-testid="start-page"]"#, SHORT)
        .await
        .unwrap();
    tab_to(&app, &shots, r#"[data-testid="try-sandbox"]"#).await;
    shoot(&app, &shots, "00-start-focus").await;
    press(&app, ENTER).await;
    app.wait_for(r#"[data-step="product"][aria-current="step"]"#, LONG)
        .await
        .unwrap();

    // Alt+→ walks the steps; the sandbox has filled in everything up to
    // Connect.
    for id in ["register", "credentials", "permissions", "connect"] {
        press(&app, ALT_RIGHT).await;
        app.wait_for(
            &format!(r#"[data-step="{id}"][aria-current="step"]"#),
            SHORT,
        )
        .await
        .unwrap();
    }
    // Next before connecting stays, says why under the button, and puts
    // the focus on it.
    press(&app, ALT_RIGHT).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="step-blocker"]"#,
        "first, so D365 Connect can prove the connection works",
    )
    .await;
    app.wait_for(r#"[data-step="connect"][aria-current="step"]"#, SHORT)
        .await
        .unwrap();
    four_ways(&app, &shots, "05a-connect-next-blocked").await;
    tab_to(&app, &shots, r#"[data-testid="connect"]"#).await;
    press(&app, ENTER).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    shoot(&app, &shots, "05-connect-keyboard").await;

    press(&app, ALT_RIGHT).await;
    app.wait_for(r#"[data-step="environment"][aria-current="step"]"#, SHORT)
        .await
        .unwrap();
    tab_to(
        &app,
        &shots,
        r#"[data-testid="environment-Production"] input"#,
    )
    .await;
    press(&app, SPACE).await;
    app.wait_for(r#"[data-testid="company-CRONUS USA, Inc."]"#, LONG)
        .await
        .unwrap();
    tab_to(
        &app,
        &shots,
        r#"[data-testid="company-CRONUS USA, Inc."] input"#,
    )
    .await;
    press(&app, SPACE).await;
    // Chosen once it is saved, as the person sees it.
    app.wait_for(
        r#"[data-testid="company-CRONUS USA, Inc."] input:checked"#,
        SHORT,
    )
    .await
    .unwrap();
    shoot(&app, &shots, "06-environment-keyboard").await;

    press(&app, ALT_RIGHT).await;
    app.wait_for(r#"[data-step="browse"][aria-current="step"]"#, SHORT)
        .await
        .unwrap();
    // The entity list is a combobox: type, then Enter takes the
    // highlighted entity, the API's customers before the web service.
    tab_to(&app, &shots, r#"[data-testid="entity-search"]"#).await;
    press(&app, "customers").await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="entity-status"]"#,
        "2 entities",
    )
    .await;
    press(&app, ENTER).await;
    table_open(&app, &shots).await;
    app.wait_for(
        r#"[data-testid="entity-customers"][aria-selected="true"]"#,
        SHORT,
    )
    .await
    .unwrap();
    shoot(&app, &shots, "07-browse-keyboard").await;

    press(&app, ALT_RIGHT).await;
    app.wait_for(r#"[data-step="check"][aria-current="step"]"#, SHORT)
        .await
        .unwrap();
    tab_to(&app, &shots, r#"[data-testid="run-checks"]"#).await;
    press(&app, ENTER).await;
    expect_checks_pass(&app, &shots).await;
    shoot(&app, &shots, "08-check-keyboard").await;

    // The start page's own buttons: duplicate the connection, check it
    // again, check both, and ask to save their report.
    tab_to(&app, &shots, ".brand").await;
    press(&app, ENTER).await;
    let saved = r#"[data-testid="profile-CRONUS sandbox"]"#;
    app.wait_for(saved, SHORT).await.unwrap();
    tab_to(
        &app,
        &shots,
        &format!(r#"{saved} [data-testid="duplicate-profile"]"#),
    )
    .await;
    press(&app, ENTER).await;
    // The new name's field has the focus, with a name already typed.
    press(&app, ENTER).await;
    let copy = r#"[data-testid="profile-CRONUS sandbox copy"]"#;
    app.wait_for(copy, SHORT).await.unwrap();
    tab_to(
        &app,
        &shots,
        &format!(r#"{copy} [data-testid="check-profile"]"#),
    )
    .await;
    press(&app, ENTER).await;
    expect_text(&app, &shots, &format!("{copy} .last-check"), " passed").await;
    tab_to(&app, &shots, r#"[data-testid="check-all"]"#).await;
    press(&app, ENTER).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="fleet-summary"]"#,
        "Checked 2 connections: 2 passed.",
    )
    .await;
    let save = r#"[data-testid="fleet-report"] [data-testid="save-report"]"#;
    four_ways(&app, &shots, "09-start-checked-all").await;
    tab_to(&app, &shots, save).await;
    shoot(&app, &shots, "09-start-keyboard").await;
    press(&app, ENTER).await;
    cancel_save_dialog(&app, "Save the report of every connection", save).await;
    app.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_or_token_reaches_a_screen_a_file_or_a_process() {
    let _window = ONE_WINDOW.lock().await;
    let sandbox = d365_sandbox::Sandbox::start(d365_sandbox::world::World::demo())
        .await
        .unwrap();
    let secret = sandbox.endpoints().demo.client_secret.unwrap();
    let app = Desktop::launch_with(&[robot_browser()]).await.unwrap();
    let shots = screenshot_dir("secret-audit").unwrap();
    app.open_saved_profile(&sandbox, "Audit BC", "Delegated")
        .await
        .unwrap();

    let mut screens = vec![];
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;
    screens.push(screen_text(&app).await);
    step(&app, "environment").await;
    click(&app, r#"[data-testid="environment-Production"] input"#).await;
    click(&app, r#"[data-testid="company-CRONUS USA, Inc."] input"#).await;
    screens.push(screen_text(&app).await);
    step(&app, "browse").await;
    app.open_entity("customers").await.unwrap();
    table_open(&app, &shots).await;
    click(&app, r#"[data-testid="row-0"]"#).await;
    app.wait_for(r#"[data-testid="record-panel"]"#, SHORT)
        .await
        .unwrap();
    screens.push(screen_text(&app).await);
    step(&app, "check").await;
    let report = check_and_save_report(&app, &shots).await;
    screens.push(screen_text(&app).await);
    shoot(&app, &shots, "11-check").await;
    for step_id in STEPS {
        step(&app, step_id).await;
        screens.push(screen_text(&app).await);
    }
    // The same tenant's app as a background service (client credentials).
    click(&app, ".brand").await;
    app.open_saved_profile(&sandbox, "Audit app", "ClientCredentials")
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
    screens.push(screen_text(&app).await);

    // What Microsoft handed out during the journey: the secret, every
    // authorization code, and every access and refresh token.
    let mut secrets = sandbox.issued_tokens();
    assert!(
        secrets.len() >= 2,
        "the journey got tokens: {}",
        secrets.len()
    );
    secrets.push(secret);
    let leaks = |place: &str, text: &str| {
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "a secret or token is in {place}"
            );
        }
    };
    for (i, screen) in screens.iter().enumerate() {
        leaks(&format!("screen {i}"), screen);
    }
    let mut files = 0;
    for path in files_under(app.home()) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        leaks(
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        );
        files += 1;
    }
    assert!(
        report.exists() && files > 2,
        "the report and settings were scanned"
    );
    // The log (among the files above) tells of both sign-ins, without them.
    assert_log_clean(&app, &secrets);
    let log = app_log(&app);
    assert!(
        log.contains("The sign-in listener received the redirect, with an authorization code")
            && log.matches("/oauth2/v2.0/token answered 200 in").count() >= 2,
        "{log}"
    );
    // The app and its WebKit processes: arguments and environment.
    let marker = format!("HOME={}", app.home().join("home").display());
    let pid = d365_e2e::processes::find_process("d365-connect", &marker).unwrap();
    for pid in d365_e2e::processes::tree(pid) {
        for part in ["cmdline", "environ"] {
            let bytes = std::fs::read(format!("/proc/{pid}/{part}")).unwrap_or_default();
            leaks(
                &format!("/proc/{pid}/{part}"),
                &String::from_utf8_lossy(&bytes),
            );
        }
    }
    app.quit().await.unwrap();
}
