//! `startup-bench [ROUNDS]`: the app's start to its first wizard frame, and
//! its memory there, against a bare Tauri 2 window built the same way, side
//! by side under one Xvfb. Each round starts both (in alternating order)
//! after one warm-up start of each; prints medians and ratios.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use d365_e2e::desktop::start_xvfb;
use d365_e2e::median;
use d365_e2e::processes::{built_binary, tree_memory, Stoppable};

struct Sample {
    to_first_frame: Duration,
    memory: u64,
}

/// Starts `program`, waits for its `ready` line, lets it settle, reads the
/// memory of its process tree, stops it.
fn sample(name: &'static str, program: &std::path::Path, display: &str) -> Result<Sample, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut command = Command::new(program);
    command
        .env("DISPLAY", display)
        .env("D365_STARTUP_PROBE", "1")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = Stoppable::spawn(name, &mut command)?;
    let stdout = child.child_mut().stdout.take().ok_or("no stdout to read")?;
    let (seen, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.trim() == "ready" {
                let _ = seen.send(started.elapsed());
            }
        }
    });
    let to_first_frame = ready
        .recv_timeout(Duration::from_secs(60))
        .map_err(|_| format!("{name} showed no first frame within 60 s"))?;
    // Let the web process finish its first layout and settle.
    std::thread::sleep(Duration::from_secs(2));
    let memory = tree_memory(child.child_mut().id())?;
    child.stop();
    Ok(Sample {
        to_first_frame,
        memory,
    })
}

fn main() -> Result<(), String> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|r| {
            r.parse()
                .map_err(|_| format!("not a number of rounds: {r}"))
        })
        .transpose()?
        .unwrap_or(7);
    let app = built_binary("d365-connect", "D365_APP_BIN")?;
    let bare = built_binary("d365-bare-window", "D365_BARE_BIN")?;
    let (_xvfb, display) = start_xvfb()?;
    sample("warm-up app", &app, &display)?;
    sample("warm-up bare window", &bare, &display)?;

    let (mut app_runs, mut bare_runs) = (vec![], vec![]);
    for round in 0..rounds {
        let order: [(&'static str, &std::path::Path); 2] = if round % 2 == 0 {
            [("app", &app), ("bare window", &bare)]
        } else {
            [("bare window", &bare), ("app", &app)]
        };
        for (name, program) in order {
            let s = sample(name, program, &display)?;
            eprintln!(
                "round {}: {name}: first frame {} ms, {:.0} MiB",
                round + 1,
                s.to_first_frame.as_millis(),
                s.memory as f64 / 1048576.0
            );
            if name == "app" {
                app_runs.push(s);
            } else {
                bare_runs.push(s);
            }
        }
    }
    let ms = |runs: &[Sample]| {
        median(
            runs.iter()
                .map(|s| s.to_first_frame.as_secs_f64() * 1000.0)
                .collect(),
        )
    };
    let mib = |runs: &[Sample]| median(runs.iter().map(|s| s.memory as f64 / 1048576.0).collect());
    let (app_ms, bare_ms) = (ms(&app_runs), ms(&bare_runs));
    let (app_mib, bare_mib) = (mib(&app_runs), mib(&bare_runs));
    println!(
        "start to first frame, median of {rounds}: app {app_ms:.0} ms, bare window {bare_ms:.0} ms, ratio {:.2} (goal ≤ 1.15)",
        app_ms / bare_ms
    );
    println!(
        "memory at the first frame (proportional set size of the process and its WebKit children), median of {rounds}: app {app_mib:.0} MiB, bare window {bare_mib:.0} MiB, ratio {:.2} (goal ≤ 1.20)",
        app_mib / bare_mib
    );
    Ok(())
}
