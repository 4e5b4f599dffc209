//! Scrolling a table of 100,000 loaded rows in the real window, measured
//! in the WebView: frame times while the table scrolls 400 px a frame.
//! This reports figures (run with --nocapture); it asserts only that the
//! rows were all loaded and the frames measured.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use d365_e2e::desktop::{screenshot_dir, Desktop};
use d365_e2e::journey::{
    click_within, row_count, scroll_table_to_the_end, table_open, table_status,
};
use d365_e2e::processes::{find_process, memory_by_process};
use d365_sandbox::data::Scale;
use d365_sandbox::world::World;
use d365_sandbox::{Options, Sandbox};

const LONG: Duration = Duration::from_secs(120);

struct Frames {
    median: f64,
    p95: f64,
    max: f64,
    over_50ms: usize,
}

/// 200 frames from the top, scrolling 100 px each (20,000 px: inside the
/// first page, so both runs paint the same kind of rows), timed by rAF.
async fn measure(app: &Desktop) -> Frames {
    let frames = app
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const s = document.querySelector('[data-testid=table-scroll]');
               s.scrollTop = 0;
               const times = [];
               let last = null;
               const tick = (now) => {
                 if (last !== null) times.push(now - last);
                 last = now;
                 s.scrollTop += 100;
                 if (times.length < 200) requestAnimationFrame(tick); else done(times);
               };
               requestAnimationFrame(() => requestAnimationFrame(tick));"#,
            vec![],
        )
        .await
        .unwrap();
    let mut times: Vec<f64> = frames
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    assert_eq!(times.len(), 200);
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Frames {
        median: at(0.5),
        p95: at(0.95),
        max: at(1.0),
        over_50ms: times.iter().filter(|t| **t > 50.0).count(),
    }
}

fn report(what: &str, f: &Frames) {
    println!(
        "frame time scrolling {what}: median {:.1} ms, p95 {:.1} ms, max {:.1} ms, frames over 50 ms: {} of 200",
        f.median, f.p95, f.max, f.over_50ms
    );
}

/// The app's processes' memory, each and in all.
fn print_memory(app: &Desktop, when: &str) {
    let marker = format!("HOME={}", app.home().join("home").display());
    match find_process("d365-connect", &marker).map(memory_by_process) {
        Some(processes) => {
            let mib = |bytes: u64| bytes as f64 / 1048576.0;
            let each: Vec<String> = processes
                .iter()
                .map(|(name, bytes)| format!("{name} {:.0}", mib(*bytes)))
                .collect();
            println!(
                "memory {when}: {:.0} MiB ({} MiB)",
                mib(processes.iter().map(|(_, bytes)| bytes).sum()),
                each.join(", ")
            );
        }
        None => println!("memory {when}: not measured (the app's process was not found)"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scrolling_through_100000_loaded_rows() {
    // The large sandbox runs here, not inside the app (as "Try the sandbox
    // tenant" would), so the app's memory is the app's alone, as with a
    // real tenant.
    let sandbox = Sandbox::start_with(
        World::demo(),
        Options {
            scale: Scale::Large,
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let app = Desktop::launch().await.unwrap();
    let shots = screenshot_dir("scroll-100k").unwrap();
    app.open_saved_profile(&sandbox, "Large BC", "ClientCredentials")
        .await
        .unwrap();
    click_within(&app, r#"[data-step="connect"]"#, LONG).await;
    click_within(&app, r#"[data-testid="connect"]"#, LONG).await;
    app.wait_text(r#"[data-testid="token-verdict"]"#, "can call", LONG)
        .await
        .unwrap();
    click_within(&app, r#"[data-step="environment"]"#, LONG).await;
    click_within(
        &app,
        r#"[data-testid="environment-Production"] input"#,
        LONG,
    )
    .await;
    click_within(
        &app,
        r#"[data-testid="company-CRONUS USA, Inc."] input"#,
        LONG,
    )
    .await;
    click_within(&app, r#"[data-step="browse"]"#, LONG).await;
    app.open_entity("customers").await.unwrap();
    table_open(&app, &shots).await;

    // The baseline: the same scrolling over the first page only.
    print_memory(&app, "with the first 1,000 rows loaded");
    let baseline = measure(&app).await;
    report("1,000 loaded rows (baseline)", &baseline);
    print_memory(
        &app,
        "with the first 1,000 rows loaded, after scrolling them",
    );

    // Load every page the way a person would: by scrolling to the bottom.
    let started = std::time::Instant::now();
    while !table_status(&app).await.starts_with("All") {
        scroll_table_to_the_end(&app).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "stuck at {}",
            table_status(&app).await
        );
    }
    let said = row_count(&app).await;
    assert!(said.replace(',', "").contains("100000"), "{said}");
    println!(
        "loading 100,000 rows by scrolling took {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let full = measure(&app).await;
    app.screenshot(&shots, "scrolled").await.unwrap();
    report("100,000 loaded rows", &full);
    println!(
        "ratio of medians, 100,000 rows / 1,000 rows: {:.2}",
        full.median / baseline.median
    );
    // Memory with every row loaded: the app and its WebKit processes
    // (proportional set size; goal ≤ 300 MB, printed for the benchmark).
    print_memory(&app, "with 100,000 rows loaded");
    app.quit().await.unwrap();
}
