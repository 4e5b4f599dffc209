//! The real app in a real window: walk the wizard's step list forward and
//! back, check the keychain status the app reports, and save a screenshot of
//! every step under `<target>/e2e-screenshots/wizard/`.

// A failed step should stop the test right there, with its location.
#![allow(clippy::unwrap_used)]

use d365_e2e::desktop::{screenshot_dir, Desktop};

const STEPS: [(&str, &str); 8] = [
    ("product", "Product"),
    ("register", "Register app"),
    ("credentials", "Credentials"),
    ("permissions", "Permissions"),
    ("connect", "Connect"),
    ("environment", "Environment & company"),
    ("browse", "Browse"),
    ("check", "Check"),
];

async fn current_step(app: &Desktop) -> String {
    let el = app
        .find(r#"nav[aria-label="Setup steps"] [aria-current="step"]"#)
        .await
        .unwrap();
    el.attr("data-step").await.unwrap().unwrap_or_default()
}

async fn title(app: &Desktop) -> String {
    app.find(r#"[data-testid="step-title"]"#)
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Saves a screenshot and checks it is a real PNG with something drawn in
/// it (a blank or black window compresses to a few hundred bytes).
async fn shoot(app: &Desktop, dir: &std::path::Path, name: &str) {
    let path = app.screenshot(dir, name).await.unwrap();
    let path = path.as_path();
    let bytes = std::fs::read(path).unwrap();
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

#[tokio::test(flavor = "multi_thread")]
async fn the_wizard_walks_forward_and_back_in_the_real_window() {
    let app = Desktop::launch().await.unwrap();
    let shots = screenshot_dir("wizard").unwrap();

    let title_of_window = app.client.title().await.unwrap();
    assert_eq!(title_of_window, "D365 Connect");

    let listed: Vec<String> = {
        let mut ids = Vec::new();
        for el in app
            .client
            .find_all(fantoccini::Locator::Css(
                r#"nav[aria-label="Setup steps"] [data-step]"#,
            ))
            .await
            .unwrap()
        {
            ids.push(el.attr("data-step").await.unwrap().unwrap_or_default());
        }
        ids
    };
    assert_eq!(listed, STEPS.map(|(id, _)| id.to_string()).to_vec());

    let back = app.find(r#"[data-testid="back"]"#).await.unwrap();
    assert!(
        !back.is_enabled().await.unwrap(),
        "Back must be disabled on the first step"
    );

    for (i, (id, name)) in STEPS.iter().enumerate() {
        assert_eq!(current_step(&app).await, *id);
        assert_eq!(title(&app).await, *name);
        shoot(&app, &shots, &format!("{:02}-{id}", i + 1)).await;
        if i + 1 < STEPS.len() {
            app.click(r#"[data-testid="next"]"#).await.unwrap();
        }
    }

    for (id, _) in STEPS.iter().rev().skip(1) {
        app.click(r#"[data-testid="back"]"#).await.unwrap();
        assert_eq!(current_step(&app).await, *id);
    }
    assert!(!app
        .find(r#"[data-testid="back"]"#)
        .await
        .unwrap()
        .is_enabled()
        .await
        .unwrap());

    // Clicking a step in the list jumps straight to it.
    app.click(r#"nav[aria-label="Setup steps"] [data-step="credentials"]"#)
        .await
        .unwrap();
    assert_eq!(current_step(&app).await, "credentials");

    // The backend's answer and what the Credentials step shows agree.
    let status = app.invoke("secret_store_status").await.unwrap();
    let backend = status["backend"].as_str().unwrap().to_string();
    if let Ok(expected) = std::env::var("D365_EXPECT_SECRET_STORE") {
        assert_eq!(backend, expected, "{status}");
    }
    let card = app
        .find(r#"[data-testid="secret-store-status"]"#)
        .await
        .unwrap();
    assert_eq!(
        card.attr("data-backend").await.unwrap().as_deref(),
        Some(backend.as_str())
    );
    shoot(&app, &shots, "09-credentials-secret-store").await;

    // The smallest window the app allows, in the dark theme: nothing is cut
    // off (the footer's buttons stay inside the viewport).
    app.client.set_window_size(1024, 700).await.unwrap();
    app.click(r#"[data-theme-choice="dark"]"#).await.unwrap();
    let theme = app
        .client
        .execute("return document.documentElement.dataset.theme;", vec![])
        .await
        .unwrap();
    assert_eq!(theme, "dark");
    let next_bottom = app
        .client
        .execute(
            "const r = document.querySelector('[data-testid=next]').getBoundingClientRect(); return r.bottom <= window.innerHeight && r.right <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(next_bottom, true, "the Next button is cut off at 1024x700");
    shoot(&app, &shots, "10-credentials-dark-1024x700").await;

    app.quit().await.unwrap();
}
