//! `d365c` as a consultant's script runs it: the built binary, with a config
//! folder of its own, against a sandbox tenant.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use d365_sandbox::SandboxHandle;
use serde_json::Value;

use crate::processes::built_binary;

pub fn d365c() -> Result<PathBuf, String> {
    built_binary("d365c", "D365C_BIN")
}

/// The sandbox's robot user as a program, for `--browser-cmd`.
pub fn robot_browser() -> Result<PathBuf, String> {
    built_binary("d365-sandbox-browser", "D365_ROBOT_BIN")
}

/// One user's `d365c`: its own home and config folder.
pub struct Cli {
    home: tempfile::TempDir,
    /// `D365C_CLIENT_SECRET`, as on a server without a keychain.
    secret: Option<String>,
    /// Whether the desktop session's keychain is reachable.
    keychain: bool,
}

impl Cli {
    /// A server: no keychain, the secret from the environment.
    pub fn headless(secret: &str) -> Result<Self, String> {
        Ok(Self {
            home: tempfile::tempdir().map_err(|e| e.to_string())?,
            secret: Some(secret.into()),
            keychain: false,
        })
    }

    /// A desktop session with its keychain (the tests run inside one).
    pub fn with_keychain() -> Result<Self, String> {
        Ok(Self {
            home: tempfile::tempdir().map_err(|e| e.to_string())?,
            secret: None,
            keychain: true,
        })
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn command(&self, args: &[&str]) -> Result<Command, String> {
        let mut command = Command::new(d365c()?);
        command
            .args(args)
            .env("XDG_CONFIG_HOME", self.home.path())
            // d365c's log goes here, not into the test session's folder.
            .env("XDG_DATA_HOME", self.home.path().join(".local/share"))
            .env("HOME", self.home.path())
            .env_remove("D365C_CLIENT_SECRET");
        if let Some(secret) = &self.secret {
            command.env("D365C_CLIENT_SECRET", secret);
        }
        if !self.keychain {
            command.env_remove("DBUS_SESSION_BUS_ADDRESS");
        }
        Ok(command)
    }

    pub fn run(&self, args: &[&str]) -> Result<Output, String> {
        self.command(args)?
            .output()
            .map_err(|e| format!("d365c {args:?}: {e}"))
    }

    /// Runs with `secret` on standard input (`--secret-stdin`).
    pub fn run_with_stdin(&self, args: &[&str], secret: &str) -> Result<Output, String> {
        use std::io::Write;
        let mut child = self
            .command(args)?
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        if let Some(mut stdin) = child.stdin.take() {
            writeln!(stdin, "{secret}").map_err(|e| e.to_string())?;
        }
        child.wait_with_output().map_err(|e| e.to_string())
    }

    /// Runs, expects success and parses standard output as JSON.
    pub fn json(&self, args: &[&str]) -> Result<Value, String> {
        let out = self.run(args)?;
        if !out.status.success() {
            return Err(format!(
                "d365c {args:?} exited {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("d365c {args:?}: {e}"))
    }

    /// Runs, expects success.
    pub fn ok(&self, args: &[&str]) -> Result<Output, String> {
        let out = self.run(args)?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!(
                "d365c {args:?} exited {:?}: {}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

/// Arguments of `profile add NAME` for one of the sandbox's products,
/// through its endpoints (the custom cloud), followed by `app`.
pub fn profile_add(s: &SandboxHandle, name: &str, product: &str, app: &[&str]) -> Vec<String> {
    with_sandbox(s, &["profile", "add", name], product, None, app)
}

/// `profile_add` for another tenant of the world and its `environment`
/// (a Business Central environment, or the name of an F&O or Dataverse one).
pub fn profile_add_in(
    s: &SandboxHandle,
    name: &str,
    product: &str,
    (tenant, environment): (&str, &str),
    app: &[&str],
) -> Vec<String> {
    let at = Some((tenant, environment));
    with_sandbox(s, &["profile", "add", name], product, at, app)
}

/// Arguments of `setup NAME` for one of the sandbox's products, followed by
/// `extra` (grant, `--browser-cmd`…).
pub fn setup_args(s: &SandboxHandle, name: &str, product: &str, extra: &[&str]) -> Vec<String> {
    with_sandbox(s, &["setup", name], product, None, extra)
}

/// `command`, the product, the tenant and environment (the demo's unless
/// `at` names others) and every endpoint of the sandbox as a custom cloud,
/// then `extra`.
fn with_sandbox(
    s: &SandboxHandle,
    command: &[&str],
    product: &str,
    at: Option<(&str, &str)>,
    extra: &[&str],
) -> Vec<String> {
    let e = s.endpoints();
    let (tenant, fno_url, dataverse_url) = match at {
        None => (
            e.demo.tenant_id.clone(),
            e.fno_url.clone(),
            e.dataverse_url.clone(),
        ),
        Some((tenant, name)) => {
            let served = |prefix: &str| format!("{}/{prefix}/{name}", e.base);
            let (fno, dataverse) = match product {
                "fno" => (Some(served("fno")), None),
                "dataverse" => (None, Some(served("dataverse"))),
                _ => (None, None),
            };
            (tenant.to_string(), fno, dataverse)
        }
    };
    let environment = match (product, at) {
        ("fno", _) => fno_url.clone().unwrap_or_default(),
        ("dataverse", _) => dataverse_url.clone().unwrap_or_default(),
        (_, Some((_, name))) => name.to_string(),
        (_, None) => "Production".into(),
    };
    let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
    args.extend(
        [
            "--product",
            product,
            "--tenant",
            &tenant,
            "--environment",
            &environment,
            "--cloud",
            "custom",
            "--authority",
            &e.authority,
            "--bc-api",
            &e.bc_api,
            "--globaldisco",
            &e.globaldisco,
            "--graph",
            &e.graph,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    if let Some(url) = fno_url {
        args.extend(["--fno-url".to_string(), url]);
    }
    if let Some(url) = dataverse_url {
        args.extend(["--dataverse-url".to_string(), url]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

pub fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
