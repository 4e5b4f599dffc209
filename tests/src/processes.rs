//! Child processes the tests start, stopped the polite way.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The cargo target dir this test binary was built into
/// (`<target>/debug/deps/<test>` → `<target>`).
pub fn target_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("unexpected test binary location {}", exe.display()))
}

/// A workspace binary built beside the tests (`<target>/debug/<name>`), or
/// the one the environment variable `override_var` names.
pub fn built_binary(name: &str, override_var: &str) -> Result<PathBuf, String> {
    let path = match std::env::var_os(override_var) {
        Some(p) => PathBuf::from(p),
        None => target_dir()?.join("debug").join(name),
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
