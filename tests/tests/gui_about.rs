//! The About box in the real window, the app started behind a proxy with a
//! password in its address: the version and the licences of what it
//! bundles, the proxy in plain words with the password nowhere, and the
//! log opened, shown in its folder and saved through the platform's save
//! dialog. The sandbox tenant on 127.0.0.1 is still reached directly
//! (NO_PROXY). Screenshots of every tab, light and dark, at 1200×800 and
//! 1024×700, under `<target>/e2e-screenshots/about/`.

// A failed step should stop the test right there, with its location.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use d365_e2e::desktop::{screenshot_dir, Desktop};
use d365_e2e::journey::{
    app_log, assert_in_no_file, cancel_save_dialog, click, expect_text, four_ways, open_and_show,
    press, save_dialog, saved_with_suggested_name, screen_text, step, theme, LONG, ONE_WINDOW,
    SHORT,
};
use serde_json::json;

const PROXY: &str = "http://alice:s3cret@proxy.example:3128";
const PASSWORD: &str = "s3cret";
const ESCAPE: &str = "\u{E00C}";

/// Shows the About tab `tab` and shoots it four ways (light and dark,
/// 1200×800 and 1024×700); returns what the screen holds.
async fn four_ways_tab(app: &Desktop, shots: &Path, tab: &str) -> String {
    click(app, &format!(r#"[data-testid="about-tab-{tab}"]"#)).await;
    app.wait_for(
        &format!(r#"[data-testid="about-panel-{tab}"]:not([hidden])"#),
        SHORT,
    )
    .await
    .unwrap();
    four_ways(app, shots, &format!("about-{tab}")).await;
    screen_text(app).await
}

/// An element's textContent (WebDriver's text of some elements is empty
/// in WebKit).
async fn text_content(app: &Desktop, css: &str) -> String {
    app.client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            vec![json!(css)],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_about_box_shows_version_licences_proxy_and_saves_the_log() {
    let _window = ONE_WINDOW.lock().await;
    let app = Desktop::launch_with(&[
        ("HTTPS_PROXY", PROXY.into()),
        ("HTTP_PROXY", PROXY.into()),
        ("NO_PROXY", "127.0.0.1,localhost".into()),
    ])
    .await
    .unwrap();
    let shots = screenshot_dir("about").unwrap();
    app.client.set_window_size(1200, 800).await.unwrap();
    theme(&app, "light").await;

    // The sandbox tenant is on 127.0.0.1, which NO_PROXY sends directly:
    // its token request must not go to the (unreachable) proxy.
    click(&app, r#"[data-testid="try-sandbox"]"#).await;
    step(&app, "connect").await;
    click(&app, r#"[data-testid="connect"]"#).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="token-verdict"]"#,
        "This token can call Business Central.",
    )
    .await;

    // About, from the wizard's header.
    click(&app, r#"[data-testid="about-button"]"#).await;
    app.wait_for(r#"[data-testid="proxy-summary"]"#, LONG)
        .await
        .unwrap();
    let version = text_content(&app, r#"[data-testid="about-version"]"#).await;
    assert_eq!(
        version,
        format!("Version {} · MIT licence", env!("CARGO_PKG_VERSION"))
    );
    let focused = app
        .client
        .execute("return document.activeElement.dataset.testid;", vec![])
        .await
        .unwrap();
    assert_eq!(
        focused,
        json!("about-tab-network"),
        "focus went into the dialog"
    );
    let summary = text_content(&app, r#"[data-testid="proxy-summary"]"#).await;
    assert_eq!(
        summary,
        "Every request goes through the proxy proxy.example:3128. \
         Requests to 127.0.0.1 and localhost go directly."
    );
    let variables = text_content(&app, r#"[data-testid="proxy-variables"]"#).await;
    assert!(
        variables.contains("HTTPS_PROXY")
            && variables.contains("http://alice:••••••@proxy.example:3128"),
        "{variables}"
    );

    // Licences: found by name, each with its SPDX expression.
    click(&app, r#"[data-testid="about-tab-licences"]"#).await;
    let count = text_content(&app, r#"[data-testid="licence-count"]"#).await;
    let total: usize = count
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{count}"));
    assert!(total > 300, "{count}");
    for (group, name, licence) in [
        ("rust", "tauri", "Apache-2.0 OR MIT"),
        ("rust", "reqwest", "MIT OR Apache-2.0"),
        ("npm", "react", "MIT"),
    ] {
        let row =
            format!(r#"[data-testid="licences-{group}"] tr[data-package="{name}"] td:last-child"#);
        assert_eq!(text_content(&app, &row).await, licence, "{name}");
    }
    app.type_into(r#"[data-testid="licence-search"]"#, "webkit2gtk")
        .await
        .unwrap();
    expect_text(&app, &shots, r#"[data-testid="licence-count"]"#, "match").await;
    assert!(text_content(&app, r#"[data-testid="licences-rust"]"#)
        .await
        .contains("webkit2gtk"));
    // Backspaced away, as a person would (WebDriver's clear sends no input
    // event, so the list would not know).
    press(&app, &"\u{E003}".repeat("webkit2gtk".len())).await;
    expect_text(
        &app,
        &shots,
        r#"[data-testid="licence-count"]"#,
        "packages.",
    )
    .await;

    // The support log: where it is, opened, shown in its folder.
    click(&app, r#"[data-testid="about-tab-log"]"#).await;
    let log = PathBuf::from(
        text_content(
            &app,
            r#"[data-testid="log-file"] [data-testid="saved-path"]"#,
        )
        .await,
    );
    assert_eq!(
        log,
        app.home()
            .join("xdg_data_home/com.d365connect.app/logs/d365-connect.log")
    );
    open_and_show(&app, r#"[data-testid="log-file"]"#, &log).await;

    // Save a copy: cancelled first (nothing changes), then where the
    // dialog suggests, the user's Documents.
    let save = r#"[data-testid="save-log-copy"]"#;
    click(&app, save).await;
    cancel_save_dialog(&app, "Save a copy of the log", save).await;
    assert!(app
        .client
        .find(fantoccini::Locator::Css(
            r#"[data-testid="log-copy-saved"]"#
        ))
        .await
        .is_err());
    click(&app, save).await;
    let dialog = save_dialog(&app, "Save a copy of the log").await;
    dialog.screenshot(&shots, "about-log-save-dialog").unwrap();
    dialog.accept().unwrap();
    let saved_line = r#"[data-testid="log-copy-saved"]"#;
    expect_text(&app, &shots, saved_line, "Saved a copy").await;
    let copy = saved_with_suggested_name(&app, saved_line, "log", "log").await;
    assert!(copy
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("D365 Connect - log - ")));
    let saved = std::fs::read_to_string(&copy).unwrap();
    for line in [
        &format!(
            "D365 Connect {} started on linux",
            env!("CARGO_PKG_VERSION")
        ),
        "Every request goes through the proxy proxy.example:3128.",
        "The page asked for start_sandbox",
        "/oauth2/v2.0/token answered 200 in",
        "The page asked for about",
    ] {
        assert!(saved.contains(line), "the copy lacks {line:?}:\n{saved}");
    }
    assert!(
        saved.contains("POST 127.0.0.1:"),
        "the sandbox is reached directly"
    );
    open_and_show(&app, r#"[data-testid="log-copy-saved"]"#, &copy).await;

    // Every tab, light and dark, at both sizes; the password is on none.
    for tab in ["network", "log", "licences"] {
        let screen = four_ways_tab(&app, &shots, tab).await;
        assert!(
            !screen.contains(PASSWORD),
            "the proxy password is on screen"
        );
    }
    assert!(!app_log(&app).contains(PASSWORD));
    assert_in_no_file(&app, PASSWORD);

    // Escape closes it and gives the focus back to the button.
    press(&app, ESCAPE).await;
    app.wait_for(r#"[data-testid="about-button"]"#, SHORT)
        .await
        .unwrap();
    let closed = app
        .client
        .execute(
            "return !document.querySelector('[data-testid=about-dialog]') && document.activeElement.dataset.testid === 'about-button';",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        closed,
        json!(true),
        "Escape closed the dialog and focus came back"
    );
    app.quit().await.unwrap();
}
