//! The table in the real window under a long scroll, side by side: one app
//! loads all 100,000 rows by scrolling to the end; another, the baseline,
//! keeps the first page of 1,000 rows and scrolls up and down them the same
//! distance. Both then scroll 200 frames from the top for frame times, wait
//! 10 s and give their memory (app + WebKit processes, PSS). Run with
//! --nocapture for the figures; `MEMORY_ROUNDS` (1) sets the rounds, whose
//! medians are printed. It asserts only what makes the figures comparable:
//! every row loaded in one, none beyond the first page in the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use d365_e2e::desktop::{screenshot_dir, Desktop};
use d365_e2e::journey::{app_log, click_within, row_count, rows_loaded, table_open, table_status};
use d365_e2e::median;
use d365_e2e::processes::{find_process, memory_by_process, tree_cpu_seconds};
use d365_sandbox::data::Scale;
use d365_sandbox::world::World;
use d365_sandbox::{Options, Sandbox, SandboxHandle};

const LONG: Duration = Duration::from_secs(120);
const ROW_HEIGHT: f64 = 34.0;
/// Pixels a frame while loading or bouncing: a hundred rows, a fast flick.
const STEP: f64 = ROW_HEIGHT * 100.0;
/// The baseline turns back this many rows before the end of its page, well
/// before the table asks for the next one.
const TURN_BEFORE_END: f64 = 150.0;
const SETTLE: Duration = Duration::from_secs(10);

struct Frames {
    median: f64,
    p95: f64,
    max: f64,
    over_50ms: usize,
}

struct Run {
    rows: usize,
    distance: f64,
    /// Elements in the page and in the grid, after the scroll.
    elements: (u64, u64),
    frames: Frames,
    /// Each process's PSS in bytes, by name.
    memory: Vec<(String, u64)>,
    /// CPU seconds the app's processes used in each half of `SETTLE`:
    /// the first is the scroll's aftermath (painting, garbage collection),
    /// the second the app at rest, where WebKit's memory-pressure checks
    /// would show if they cost anything.
    idle_cpu: (f64, f64),
}

impl Run {
    fn total(&self) -> u64 {
        self.memory.iter().map(|(_, bytes)| bytes).sum()
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// 200 frames from the top, scrolling 100 px each (20,000 px: inside the
/// first page, so both runs paint the same kind of rows), timed by rAF.
async fn frame_times(app: &Desktop) -> Frames {
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

/// Scrolls `STEP` px a frame for up to 120 frames or `distance` px, down, or
/// up and down between the top and `turn_at` when given; returns the
/// pixels actually moved (none while the table waits for its next page).
async fn scroll_some(app: &Desktop, distance: f64, turn_at: Option<f64>) -> f64 {
    let moved = app
        .client
        .execute_async(
            r#"const [step, want, turnAt, done] = arguments;
               const s = document.querySelector('[data-testid=table-scroll]');
               let moved = 0, frames = 0, dir = window.benchDirection || 1;
               const tick = () => {
                 const before = s.scrollTop;
                 let next = before + dir * step;
                 if (turnAt !== null && next >= turnAt) { next = turnAt; dir = -1; }
                 if (next <= 0) { next = 0; dir = 1; }
                 s.scrollTop = next;
                 moved += Math.abs(s.scrollTop - before);
                 frames += 1;
                 if (moved >= want || frames >= 120) { window.benchDirection = dir; done(moved); }
                 else requestAnimationFrame(tick);
               };
               requestAnimationFrame(tick);"#,
            vec![
                serde_json::json!(STEP),
                serde_json::json!(distance),
                serde_json::json!(turn_at),
            ],
        )
        .await
        .unwrap();
    moved.as_f64().unwrap()
}

/// A fresh app with the large sandbox's customers open (first page loaded).
async fn open_customers(sandbox: &SandboxHandle, shots: &std::path::Path) -> Desktop {
    let app = Desktop::launch().await.unwrap();
    app.open_saved_profile(sandbox, "Large BC", "ClientCredentials")
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
    table_open(&app, shots).await;
    app
}

/// Frame times, then the memory of the app's processes after `SETTLE`.
async fn finish(app: Desktop, rows: usize, distance: f64) -> Run {
    let elements = app
        .client
        .execute(
            "return [document.getElementsByTagName('*').length, document.querySelectorAll('[data-testid=table-scroll] *').length];",
            vec![],
        )
        .await
        .unwrap();
    let count = |i: usize| elements[i].as_u64().unwrap();
    let elements = (count(0), count(1));
    let frames = frame_times(&app).await;
    let marker = format!("HOME={}", app.home().join("home").display());
    let pid = find_process("d365-connect", &marker).expect("the app's process");
    let start = tree_cpu_seconds(pid);
    tokio::time::sleep(SETTLE / 2).await;
    let half_way = tree_cpu_seconds(pid);
    tokio::time::sleep(SETTLE / 2).await;
    let idle_cpu = (half_way - start, tree_cpu_seconds(pid) - half_way);
    let memory = memory_by_process(pid);
    // The figures are those of the app as shipped: with its page-memory
    // settings, not WebKit's defaults (src-tauri/src/page_memory.rs).
    let log = app_log(&app);
    assert!(log.contains("memory-pressure limit"), "{log}");
    app.quit().await.unwrap();
    Run {
        rows,
        distance,
        elements,
        frames,
        memory,
        idle_cpu,
    }
}

/// Loads every row by scrolling down until the table says all are there.
async fn load_all(sandbox: &SandboxHandle, shots: &std::path::Path) -> Run {
    let app = open_customers(sandbox, shots).await;
    let started = Instant::now();
    let mut distance = 0.0;
    loop {
        let moved = scroll_some(&app, f64::MAX, None).await;
        distance += moved;
        if moved == 0.0 && table_status(&app).await.starts_with("All") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "stuck at {}",
            table_status(&app).await
        );
    }
    let said = row_count(&app).await;
    assert!(said.replace(',', "").contains("100000"), "{said}");
    println!(
        "loading 100,000 rows by scrolling {distance:.0} px took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    app.screenshot(shots, "all-loaded").await.unwrap();
    finish(app, 100_000, distance).await
}

/// Scrolls the first page up and down until it has gone `distance` px.
async fn bounce_first_page(sandbox: &SandboxHandle, shots: &std::path::Path, distance: f64) -> Run {
    let app = open_customers(sandbox, shots).await;
    let loaded = rows_loaded(&app).await;
    let turn_at = (loaded as f64 - TURN_BEFORE_END) * ROW_HEIGHT;
    let mut moved = 0.0;
    while moved < distance {
        moved += scroll_some(&app, distance - moved, Some(turn_at)).await;
    }
    assert_eq!(
        rows_loaded(&app).await,
        loaded,
        "the baseline loaded more rows"
    );
    app.screenshot(shots, "first-page-bounced").await.unwrap();
    finish(app, loaded, moved).await
}

fn report(run: &Run) {
    let each: Vec<String> = run
        .memory
        .iter()
        .map(|(name, bytes)| format!("{name} {:.0}", mib(*bytes)))
        .collect();
    let f = &run.frames;
    println!(
        "{} rows loaded, {:.0} px scrolled: memory {:.0} MiB ({} MiB); CPU {:.2} s in the first {} s of the wait, {:.2} s in the next (at rest); elements {} (grid {}); frame time median {:.1} ms, p95 {:.1} ms, max {:.1} ms, over 50 ms: {} of 200",
        run.rows,
        run.distance,
        mib(run.total()),
        each.join(", "),
        run.idle_cpu.0,
        (SETTLE / 2).as_secs(),
        run.idle_cpu.1,
        run.elements.0,
        run.elements.1,
        f.median,
        f.p95,
        f.max,
        f.over_50ms
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_after_scrolling_100000_rows_against_1000() {
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
    let shots = screenshot_dir("scroll-100k").unwrap();
    let rounds: usize = std::env::var("MEMORY_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    let (mut full, mut first_page) = (vec![], vec![]);
    for _ in 0..rounds {
        let all = load_all(&sandbox, &shots).await;
        report(&all);
        let page = bounce_first_page(&sandbox, &shots, all.distance).await;
        report(&page);
        full.push(all);
        first_page.push(page);
    }
    let memory = |runs: &[Run]| median(runs.iter().map(|r| mib(r.total())).collect());
    let frames = |runs: &[Run]| median(runs.iter().map(|r| r.frames.median).collect());
    let (all_mib, page_mib) = (memory(&full), memory(&first_page));
    println!(
        "memory 10 s after the scroll, median of {rounds}: 100,000 rows {all_mib:.0} MiB, 1,000 rows {page_mib:.0} MiB, ratio {:.2} (goal ≤ 1.25)",
        all_mib / page_mib
    );
    println!(
        "frame time median, 100,000 rows / 1,000 rows: {:.2}",
        frames(&full) / frames(&first_page)
    );
}
