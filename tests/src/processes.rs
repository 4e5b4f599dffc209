//! Child processes the tests start, stopped the polite way.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The cargo target dir this test (or bench) binary was built into: the
/// nearest ancestor holding cargo's CACHEDIR.TAG.
pub fn target_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{} is not inside a cargo target dir", exe.display()))
}

/// A workspace binary built with the same profile as this test or bench
/// binary (`<target>/debug/<name>`, `<target>/release/<name>`), or the one
/// the environment variable `override_var` names.
pub fn built_binary(name: &str, override_var: &str) -> Result<PathBuf, String> {
    let path = match std::env::var_os(override_var) {
        Some(p) => PathBuf::from(p),
        None => profile_dir()?.join(name),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: build it with `cargo build --workspace` (the README's test command does)",
            path.display()
        ))
    }
}

/// `<target>/<profile>`: where this binary is, or the folder above when it
/// is a test binary in `deps`.
fn profile_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = exe
        .parent()
        .ok_or_else(|| format!("{} has no folder", exe.display()))?;
    Ok(match dir.file_name() {
        Some(name) if name == "deps" => dir.parent().unwrap_or(dir),
        _ => dir,
    }
    .to_path_buf())
}

/// A child process that is stopped with SIGTERM when dropped. tauri-driver
/// must get SIGTERM, not SIGKILL: killed outright it orphans WebKitWebDriver,
/// which keeps the test's output pipe open and hangs CI.
pub struct Stoppable {
    name: &'static str,
    child: Child,
}

impl Stoppable {
    pub fn spawn(name: &'static str, command: &mut Command) -> Result<Self, String> {
        let child = command.spawn().map_err(|e| {
            format!("could not start {name}: {e} (the README's test command installs it)")
        })?;
        Ok(Self { name, child })
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// SIGTERM, then up to 10 s for the process to exit, then SIGKILL.
    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let terminated = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while terminated && Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port that was free a moment ago (the OS picks it).
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// Polls until something accepts connections on the port.
pub fn wait_for_port(port: u16, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("nothing listened on port {port} within {within:?}"))
}

/// Memory of a process and all its descendants (the app's WebKit web and
/// network processes), in bytes: the sum of their proportional set sizes,
/// so libraries they share are counted once, not once per process.
pub fn tree_memory(root: u32) -> Result<u64, String> {
    Ok(memory_by_process(root).iter().map(|(_, bytes)| bytes).sum())
}

/// Each process of the tree by name (`/proc/PID/comm`) with its
/// proportional set size in bytes: where the memory is.
pub fn memory_by_process(root: u32) -> Vec<(String, u64)> {
    tree(root)
        .into_iter()
        .map(|pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            (name.trim().to_string(), pss_of(pid).unwrap_or(0))
        })
        .collect()
}

/// A process and all its descendants.
pub fn tree(root: u32) -> Vec<u32> {
    let mut children: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(parent) = parent_of(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut all = vec![];
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        all.push(pid);
        todo.extend(children.get(&pid).into_iter().flatten());
    }
    all
}

/// `/proc/PID/stat` after its `(comm)`, which may hold spaces: the state
/// is the first field, the parent the second, user and system CPU ticks
/// the 12th and 13th.
fn stat_after_comm(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(stat.rsplit_once(')')?.1.to_string())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_after_comm(pid)?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU time a process and its descendants have used, in seconds: user +
/// system from `/proc/PID/stat`, counted in USER_HZ ticks (100 a second on
/// Linux whatever the kernel's own rate).
pub fn tree_cpu_seconds(root: u32) -> f64 {
    let ticks: u64 = tree(root).into_iter().filter_map(cpu_ticks_of).sum();
    ticks as f64 / 100.0
}

fn cpu_ticks_of(pid: u32) -> Option<u64> {
    let stat = stat_after_comm(pid)?;
    let mut ticks = stat.split_whitespace().skip(11);
    let user: u64 = ticks.next()?.parse().ok()?;
    let system: u64 = ticks.next()?.parse().ok()?;
    Some(user + system)
}

fn pss_of(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let line = rollup.lines().find(|l| l.starts_with("Pss:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The process running `program` whose environment holds `marker`
/// (`NAME=value`): finds the app that tauri-driver started for one test.
pub fn find_process(program: &str, marker: &str) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            // comm is cut at 15 bytes.
            if !program.starts_with(comm.trim()) {
                return None;
            }
            let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
            environ
                .split(|b| *b == 0)
                .any(|var| var == marker.as_bytes())
                .then_some(pid)
        })
}
