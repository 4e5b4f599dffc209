//! The steps of a journey through the app's window, as the GUI tests take
//! them: each waits for what a person would wait for and, when what it
//! expects never comes, stops the test right there, saying what the window
//! showed instead.

// A failed step should stop the test right there.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::desktop::Desktop;
use crate::native_dialog::SaveDialog;

/// One window at a time: the apps share the test's keychain (a profile's
/// refresh token is filed under its name, the same in every journey), and
/// two WebKit windows on two cores make every wait flaky.
pub static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub const SHORT: Duration = Duration::from_secs(15);
pub const LONG: Duration = Duration::from_secs(60);

/// The wizard's steps, in order.
pub const STEPS: [&str; 8] = [
    "product",
    "register",
    "credentials",
    "permissions",
    "connect",
    "environment",
    "browse",
    "check",
];

/// WebDriver key codes (W3C WebDriver §17.4.2).
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = "\u{E00D}";
pub const ALT_RIGHT: &str = "\u{E00A}\u{E014}\u{E000}";

/// The robot user as the system browser: `BROWSER` is honoured by the app.
pub fn robot_browser() -> (&'static str, String) {
    let robot = crate::cli::robot_browser().unwrap();
    ("BROWSER", robot.display().to_string())
}

/// An element's text (empty when WebDriver cannot read it); the element
/// must be there.
async fn text_of(app: &Desktop, css: &str) -> String {
    app.find(css)
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default()
}

/// The check run ends with nothing failed and nothing to warn about
/// (checks that could not run, such as an expiry nobody saved, may be
/// listed); returns the summary line.
pub async fn expect_checks_pass(app: &Desktop, shots: &Path) -> String {
    let summary = expect_text(app, shots, r#"[data-testid="checks-summary"]"#, "passed").await;
    assert!(
        !summary.contains("failed") && !summary.contains("warning"),
        "{summary}"
    );
    summary
}

/// A secret's expiry line's state: Fine, ExpiringSoon or Expired.
pub async fn expiry_state(app: &Desktop, css: &str) -> String {
    let line = app.find(css).await.unwrap();
    line.attr("data-state").await.unwrap().unwrap_or_default()
}

/// Saves a screenshot and checks it is a real PNG with something drawn in
/// it (a blank or black window compresses to a few hundred bytes).
pub async fn shoot(app: &Desktop, dir: &Path, name: &str) {
    // Two animation frames: what was just changed is painted, not pending.
    app.client
        .execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .unwrap();
    let path = app.screenshot(dir, name).await.unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > 8_000,
        "{} looks blank ({} bytes)",
        path.display(),
        bytes.len()
    );
}

/// Waits for a text; on failure keeps a screenshot of what was on screen.
pub async fn expect_text(app: &Desktop, shots: &Path, css: &str, needle: &str) -> String {
    match app.wait_text(css, needle, LONG).await {
        Ok(text) => text,
        Err(e) => {
            let _ = app.screenshot(shots, "FAILED").await;
            panic!("{e}\n--- on screen ---\n{}", text_of(app, "main").await);
        }
    }
}

/// Clicks an element once it is there; if it never comes, says what the
/// window showed instead.
pub async fn click(app: &Desktop, css: &str) {
    click_within(app, css, LONG).await;
}

/// `click`, waiting at most `within` for the element.
pub async fn click_within(app: &Desktop, css: &str, within: Duration) {
    let el = match app.wait_for(css, within).await {
        Ok(el) => el,
        Err(e) => panic!("{e}\n--- on screen ---\n{}", text_of(app, "main").await),
    };
    el.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Goes to a step of the wizard through the step list.
pub async fn step(app: &Desktop, id: &str) {
    // Waits for the step list too: after "Try the sandbox tenant" the
    // wizard appears only once the sandbox has started.
    click(
        app,
        &format!(r#"nav[aria-label="Setup steps"] [data-step="{id}"]"#),
    )
    .await;
    app.wait_for(
        &format!(r#"[data-step="{id}"][aria-current="step"]"#),
        SHORT,
    )
    .await
    .unwrap();
}

/// The screen as it is, in light and dark at 1200×800 and 1024×700, shot
/// as "<name>-<theme>-<size>"; leaves the window light at 1200×800.
pub async fn four_ways(app: &Desktop, shots: &Path, name: &str) {
    for (width, height) in [(1024, 700), (1200, 800)] {
        app.client.set_window_size(width, height).await.unwrap();
        for choice in ["dark", "light"] {
            // Clicked from the page: an open modal dialog keeps the pointer
            // off the header's theme switch.
            app.client
                .execute(
                    &format!("document.querySelector('[data-theme-choice={choice}]').click();"),
                    vec![],
                )
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
            shoot(app, shots, &format!("{name}-{choice}-{width}x{height}")).await;
        }
    }
}

/// Picks the light or dark theme.
pub async fn theme(app: &Desktop, choice: &str) {
    click(app, &format!(r#"[data-theme-choice="{choice}"]"#)).await;
}

/// On the Check step: runs the checks, expects them all to pass, and saves
/// the HTML report through the platform's save dialog: cancelled first
/// (nothing changes), then taking the folder and name it suggests (the
/// user's Documents; the connection, "check report" and the date). Opens
/// the report and shows it in its folder; returns its path.
pub async fn check_and_save_report(app: &Desktop, shots: &Path) -> PathBuf {
    click(app, r#"[data-testid="run-checks"]"#).await;
    expect_checks_pass(app, shots).await;
    let save = r#"[data-testid="save-report"]"#;
    click(app, save).await;
    cancel_save_dialog(app, "Save the check report", save).await;
    let untouched = app
        .client
        .execute(
            "return !document.querySelector('[data-testid=report-saved]') && !document.querySelector('.error-panel');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        untouched,
        json!(true),
        "cancelling the dialog changed the step"
    );

    click(app, save).await;
    let dialog = save_dialog(app, "Save the check report").await;
    dialog.screenshot(shots, "11a-report-save-dialog").unwrap();
    dialog.accept().unwrap();
    let saved = r#"[data-testid="report-saved"]"#;
    expect_text(app, shots, saved, "Saved to").await;
    let report = saved_with_suggested_name(app, saved, "check report", "html").await;
    assert!(report.is_file(), "{} was written", report.display());
    open_and_show(app, saved, &report).await;
    report
}

/// The file the line under `saved_css` says was saved, after checking it
/// went where the save dialog suggests: the user's Documents, named
/// "<connection> - <subject> - <today>.<extension>".
pub async fn saved_with_suggested_name(
    app: &Desktop,
    saved_css: &str,
    subject: &str,
    extension: &str,
) -> PathBuf {
    let file =
        PathBuf::from(text_of(app, &format!(r#"{saved_css} [data-testid="saved-path"]"#)).await);
    assert_eq!(
        file.parent(),
        Some(app.home().join("home/Documents").as_path())
    );
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let date = name
        .strip_suffix(&format!(".{extension}"))
        .and_then(|n| n.rsplit_once(&format!(" - {subject} - ")))
        .map(|(_, date)| date)
        .unwrap_or_else(|| panic!("the suggested name is {name:?}"));
    assert!(
        time::Date::parse(
            date,
            time::macros::format_description!("[year]-[month]-[day]")
        )
        .is_ok(),
        "{name:?} ends in a date"
    );
    file
}

/// Waits for the save dialog whose title starts with `title`.
pub async fn save_dialog(app: &Desktop, title: &str) -> SaveDialog {
    let (display, title) = (app.display().to_string(), title.to_string());
    tokio::task::spawn_blocking(move || SaveDialog::wait(&display, &title, LONG))
        .await
        .unwrap()
        .unwrap()
}

/// Cancels the save dialog titled `title` and waits until `save`, the
/// button that opened it, can be pressed again.
pub async fn cancel_save_dialog(app: &Desktop, title: &str, save: &str) {
    save_dialog(app, title).await.cancel().unwrap();
    app.wait_for(&format!("{save}:not([disabled])"), SHORT)
        .await
        .unwrap();
}

/// Presses "Open" and "Show in folder" under `css`, the line that says
/// where `file` was saved: the desktop is asked to open the file, then its
/// folder (the test's D-Bus session has no file manager to select it in).
pub async fn open_and_show(app: &Desktop, css: &str, file: &Path) {
    for (button, expected) in [
        ("open-saved-file", file),
        ("show-saved-file", file.parent().unwrap()),
    ] {
        let before = app.opened().len();
        click(app, &format!(r#"{css} [data-testid="{button}"]"#)).await;
        let deadline = std::time::Instant::now() + SHORT;
        while app.opened().len() == before && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            app.opened().get(before).map(String::as_str),
            Some(expected.display().to_string().as_str()),
            "{button} asked the desktop to open: {:?}",
            app.opened()
        );
    }
}

/// The table's status line ("Scroll down for more.", "All rows loaded.").
pub async fn table_status(app: &Desktop) -> String {
    text_of(app, r#"[data-testid="table-status"]"#).await
}

/// The table's row count ("2,500 rows · 1,000 loaded").
pub async fn row_count(app: &Desktop) -> String {
    text_of(app, r#"[data-testid="row-count"]"#).await
}

/// Waits until the table has opened (its first page is there, or it has
/// none); returns its row count.
pub async fn table_open(app: &Desktop, shots: &Path) -> String {
    let opened = r#"[data-testid="table-scroll"][aria-busy="false"]"#;
    if let Err(e) = app.wait_for(opened, LONG).await {
        let _ = app.screenshot(shots, "FAILED").await;
        panic!("{e}\n--- on screen ---\n{}", text_of(app, "main").await);
    }
    row_count(app).await
}

/// Scrolls the page until the element is in the middle of the window, as a
/// person does to read a part below the fold.
pub async fn scroll_to(app: &Desktop, css: &str) {
    app.client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });",
            vec![json!(css)],
        )
        .await
        .unwrap();
}

/// Scrolls the table to its end, as a person does to load the next page.
pub async fn scroll_table_to_the_end(app: &Desktop) {
    app.client
        .execute(
            "const s = document.querySelector('[data-testid=table-scroll]'); s.scrollTop = s.scrollHeight;",
            vec![],
        )
        .await
        .unwrap();
}

/// How many rows the table says it has loaded: the number before "loaded"
/// in "2,500 rows · 1,000 loaded", or the total once all are ("191 rows").
pub async fn rows_loaded(app: &Desktop) -> usize {
    let count = row_count(app).await;
    count
        .rsplit('·')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .find_map(|word| word.replace(',', "").parse().ok())
        .unwrap_or(0)
}

/// Presses keys on whatever has the focus.
pub async fn press(app: &Desktop, keys: &str) {
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

/// Presses Tab until `css` has the focus (at most 60 times), then checks
/// the focus can be seen: an outline or a ring drawn by a box shadow.
pub async fn tab_to(app: &Desktop, shots: &Path, css: &str) {
    let selector = serde_json::to_string(css).unwrap();
    let focused = format!("return document.activeElement === document.querySelector({selector});");
    for _ in 0..60 {
        if app.client.execute(&focused, vec![]).await.unwrap() == json!(true) {
            let visible = app
                .client
                .execute(
                    "const s = getComputedStyle(document.activeElement); return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(visible, json!(true), "no visible focus on {css}");
            return;
        }
        press(app, TAB).await;
    }
    let _ = app.screenshot(shots, "FAILED").await;
    panic!("Tab never reached {css}");
}

/// Every screen's text, HTML and field values (which the HTML does not
/// hold), as WebDriver reads them.
pub async fn screen_text(app: &Desktop) -> String {
    let html = app.client.source().await.unwrap_or_default();
    let values = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('input, textarea, select')).map(e => e.value).join('\\n');",
            vec![],
        )
        .await
        .unwrap_or_default();
    let text = text_of(app, "body").await;
    format!("{html}\n{text}\n{values}")
}

/// The custom cloud that points a saved profile at a sandbox the test
/// started.
pub fn sandbox_cloud(e: &d365_sandbox::Endpoints) -> serde_json::Value {
    json!({ "kind": "Custom", "custom": {
        "authority": e.authority, "bc_api": e.bc_api, "fno_url": e.fno_url,
        "dataverse_url": e.dataverse_url, "globaldisco": e.globaldisco,
        "bc_resource": null, "graph": e.graph } })
}

/// `secret` is in none of the files the app wrote under its home.
pub fn assert_in_no_file(app: &Desktop, secret: &str) {
    for path in crate::files_under(app.home()) {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        assert!(
            !text.contains(secret),
            "a secret was written to {}",
            path.display()
        );
    }
}

/// The app's log, older parts first: under the throwaway home, where
/// Tauri puts an app's logs on Linux (docs/support.md).
pub fn app_log(app: &Desktop) -> String {
    let log = app
        .home()
        .join("xdg_data_home/com.d365connect.app/logs/d365-connect.log");
    [".2", ".1", ""]
        .iter()
        .map(|suffix| {
            let mut path = log.clone().into_os_string();
            path.push(suffix);
            std::fs::read_to_string(path).unwrap_or_default()
        })
        .collect()
}

/// The app's log tells of the journey's sign-in (a token request that
/// succeeded) and holds none of `secrets`, nor a query or a bearer header.
pub fn assert_log_clean(app: &Desktop, secrets: &[String]) {
    let log = app_log(app);
    assert!(
        log.contains("/oauth2/v2.0/token answered 200 in"),
        "the log does not tell of the sign-in:\n{log}"
    );
    for secret in secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a secret, code or token is in the app's log"
        );
    }
    for never in ["code=", "state=", "Bearer "] {
        assert!(
            !log.contains(never),
            "{never:?} is in the app's log:\n{log}"
        );
    }
}

/// Points the wizard at a test-started sandbox with nothing of the
/// setup's own in the keychain: saves a person-sign-in profile of the
/// tenant (a public client, so no secret), opens it, and goes to the
/// Register step. The app offers no other way to reach a tenant it did
/// not start itself.
pub async fn open_tenant_for_setup(app: &Desktop, sandbox: &d365_sandbox::SandboxHandle) {
    let e = sandbox.endpoints();
    let profile = json!({
        "name": "Sandbox tenant",
        "product": "BusinessCentral",
        "cloud": sandbox_cloud(&e),
        "tenant": e.demo.tenant_id,
        "client_id": e.demo.public_client_id,
        "registration": "SignInWithoutSecret",
        "scopes": [],
        "environment": null,
        "company": null
    });
    app.invoke_with(
        "save_profile",
        json!({ "profile": profile, "secret": null }),
    )
    .await
    .unwrap();
    for css in [
        r#"[data-testid="new-connection"]"#,
        ".brand",
        r#"[data-testid="profile-Sandbox tenant"] [data-testid="open-profile"]"#,
    ] {
        click(app, css).await;
    }
    step(app, "register").await;
}
