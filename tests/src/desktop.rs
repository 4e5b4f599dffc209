//! The desktop app in a real window: Xvfb + tauri-driver + WebKitWebDriver.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use crate::processes::{built_binary, free_port, target_dir, wait_for_port, Stoppable};

/// Where screenshots go: `<target>/e2e-screenshots/<suite>/`.
pub fn screenshot_dir(suite: &str) -> Result<PathBuf, String> {
    let dir = target_dir()?.join("e2e-screenshots").join(suite);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// A running app and a WebDriver session on its window. Everything it
/// started is stopped when it is dropped, in reverse order.
pub struct Desktop {
    pub client: Client,
    // Field order is drop order: the driver (and with it WebKitWebDriver and
    // the app) goes before the X server it draws on, then the temp home.
    driver: Stoppable,
    xvfb: Stoppable,
    display: String,
    home: tempfile::TempDir,
}

impl Desktop {
    /// Starts Xvfb on a free display, tauri-driver on free ports, and a
    /// session running the app with a throwaway HOME and XDG dirs.
    pub async fn launch() -> Result<Self, String> {
        Self::launch_with(&[]).await
    }

    /// `launch` with extra environment for the app, e.g. `BROWSER` pointing
    /// at the sandbox's robot so a sign-in completes without a person.
    ///
    /// The home is a desktop user's: a Documents folder the desktop names
    /// (`user-dirs.dirs`), and an `xdg-open` that only writes down what it
    /// was asked to open (`opened`), so no test starts a real program.
    pub async fn launch_with(env: &[(&str, String)]) -> Result<Self, String> {
        let app = built_binary("d365-connect", "D365_APP_BIN")?;
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (xvfb, display) = start_xvfb()?;

        let port = free_port()?;
        let native_port = free_port()?;
        let mut driver_cmd = Command::new("tauri-driver");
        driver_cmd
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .stdout(Stdio::null());
        for var in ["HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"] {
            let dir = home.path().join(var.to_lowercase());
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            driver_cmd.env(var, dir);
        }
        desktop_folders(home.path())?;
        driver_cmd.env("PATH", recording_opener(home.path())?);
        for (name, value) in env {
            driver_cmd.env(name, value);
        }
        let driver = Stoppable::spawn("tauri-driver", &mut driver_cmd)?;
        wait_for_port(port, Duration::from_secs(30))?;
        wait_for_port(native_port, Duration::from_secs(30))?;

        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({ "application": app }));
        // WebDriver is on loopback: plain HTTP, no TLS stack (and so no
        // clash between rustls crypto providers other crates enable).
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("WebDriver session did not start: {e}"))?;
        let desktop = Self {
            client,
            driver,
            xvfb,
            display,
            home,
        };
        desktop.wait_until_ready().await?;
        Ok(desktop)
    }

    /// The UI marks `<html data-ready="true">` after its first render. The
    /// first launch on a fresh machine can take ~15 s, so poll; never sleep.
    async fn wait_until_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            let ready = self
                .client
                .execute(
                    "return document.documentElement.dataset.ready === 'true';",
                    vec![],
                )
                .await;
            if matches!(ready, Ok(Value::Bool(true))) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err("the wizard did not render within 90 s".into())
    }

    /// Calls a backend command with arguments exactly as the UI does and
    /// returns its value.
    pub async fn invoke_with(&self, command: &str, args: Value) -> Result<Value, String> {
        self.client
            .execute(
                "return window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]);",
                vec![json!(command), args],
            )
            .await
            .map_err(|e| format!("invoke {command}: {e}"))
    }

    /// Waits until an element is there (the UI answers asynchronously).
    pub async fn wait_for(
        &self,
        css: &str,
        within: Duration,
    ) -> Result<fantoccini::elements::Element, String> {
        let deadline = Instant::now() + within;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(el) => return Ok(el),
                Err(e) if Instant::now() >= deadline => {
                    return Err(format!("{css} did not appear: {e}"))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Waits until an element's text contains `needle`; returns the text.
    pub async fn wait_text(
        &self,
        css: &str,
        needle: &str,
        within: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + within;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() >= deadline {
                return Err(format!("{css} never said {needle:?}; it says {text:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// On the Browse step: searches for the entity `name` and opens it once
    /// the list shows only matches (clicked sooner, the entry can move from
    /// under the pointer when the search result replaces the list).
    pub async fn open_entity(&self, name: &str) -> Result<(), String> {
        self.type_into(r#"[data-testid="entity-search"]"#, name)
            .await?;
        let narrowed = format!(
            r#"const q = {};
               const status = document.querySelector('[data-testid=entity-status]');
               const options = [...document.querySelectorAll('[role=option]')];
               return !!status && !status.textContent.includes('…') && options.length > 0
                 && options.every(o => o.textContent.toLowerCase().includes(q))
                 && !!document.querySelector('[data-testid="entity-' + {} + '"]');"#,
            serde_json::to_string(&name.to_lowercase()).map_err(|e| e.to_string())?,
            serde_json::to_string(name).map_err(|e| e.to_string())?
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        while self
            .client
            .execute(&narrowed, vec![])
            .await
            .map_err(|e| format!("read the entity list: {e}"))?
            != Value::Bool(true)
        {
            if Instant::now() >= deadline {
                return Err(format!("the entity list never narrowed to {name}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.find(&format!(r#"[data-testid="entity-{name}"]"#))
            .await?
            .click()
            .await
            .map_err(|e| format!("click entity {name}: {e}"))
    }

    /// Replaces a text field's content, as a person typing.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let el = self.wait_for(css, Duration::from_secs(10)).await?;
        el.clear().await.map_err(|e| format!("clear {css}: {e}"))?;
        el.send_keys(text)
            .await
            .map_err(|e| format!("type into {css}: {e}"))
    }

    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element, String> {
        self.client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("{css}: {e}"))
    }

    /// Saves a BC profile of the sandbox's confidential app for a
    /// test-started sandbox (as the app would have saved it), signing in as
    /// the app ("ClientCredentials") or as a person ("Delegated"), then
    /// opens it from the start page.
    pub async fn open_saved_profile(
        &self,
        sandbox: &d365_sandbox::SandboxHandle,
        name: &str,
        grant: &str,
    ) -> Result<(), String> {
        let e = sandbox.endpoints();
        let profile = json!({
            "name": name,
            "product": "BusinessCentral",
            "cloud": { "kind": "Custom", "custom": {
                "authority": e.authority, "bc_api": e.bc_api, "fno_url": null, "dataverse_url": null,
                "globaldisco": e.globaldisco, "bc_resource": null } },
            "tenant": e.demo.tenant_id,
            "client_id": e.demo.client_id,
            "grant": grant,
            "client_type": "Confidential",
            "scopes": [],
            "environment": "Production",
            "company": null
        });
        self.invoke_with(
            "save_profile",
            json!({ "profile": profile, "secret": e.demo.client_secret }),
        )
        .await?;
        // The start page lists what is saved when it opens.
        let open = format!(r#"[data-testid="profile-{name}"] [data-testid="open-profile"]"#);
        for css in [r#"[data-testid="new-connection"]"#, ".brand", &open] {
            self.wait_for(css, Duration::from_secs(60))
                .await?
                .click()
                .await
                .map_err(|e| format!("click {css}: {e}"))?;
        }
        Ok(())
    }

    /// Saves a PNG of the window and returns its path.
    pub async fn screenshot(&self, dir: &Path, name: &str) -> Result<PathBuf, String> {
        let png = self.client.screenshot().await.map_err(|e| e.to_string())?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    /// The throwaway home the app ran with (tests scan it for leaks); the
    /// app's `HOME` is its `home` folder.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The X display the app draws on, for windows WebDriver cannot see.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// What the app asked the desktop to open (`xdg-open`), one line each.
    pub fn opened(&self) -> Vec<String> {
        std::fs::read_to_string(self.home.path().join(OPENED))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Ends the WebDriver session, then stops every process it started.
    pub async fn quit(mut self) -> Result<(), String> {
        let closed = self.client.clone().close().await.map_err(|e| e.to_string());
        self.driver.stop();
        self.xvfb.stop();
        closed
    }
}

/// Where the recording `xdg-open` writes, under the throwaway home.
const OPENED: &str = "opened.log";

/// `$HOME/Documents`, named the desktop's documents folder as
/// xdg-user-dirs names it.
fn desktop_folders(home: &Path) -> Result<(), String> {
    std::fs::create_dir_all(home.join("home/Documents")).map_err(|e| e.to_string())?;
    std::fs::write(
        home.join("xdg_config_home/user-dirs.dirs"),
        "XDG_DOCUMENTS_DIR=\"$HOME/Documents\"\n",
    )
    .map_err(|e| e.to_string())
}

/// A `PATH` whose first folder holds an `xdg-open` that appends its
/// argument to `OPENED` (what the opener plugin calls on Linux).
fn recording_opener(home: &Path) -> Result<std::ffi::OsString, String> {
    use std::os::unix::fs::PermissionsExt;
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    let script = bin.join("xdg-open");
    let log = home.join(OPENED);
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .map_err(|e| e.to_string())?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let mut path = vec![bin];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(path).map_err(|e| e.to_string())
}

/// Xvfb writes the display number it picked to the fd given to -displayfd.
/// An X server on a free display, and that display (`:N`).
pub fn start_xvfb() -> Result<(Stoppable, String), String> {
    let mut xvfb = Stoppable::spawn(
        "Xvfb",
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x900x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    )?;
    let display = read_display(&mut xvfb)?;
    Ok((xvfb, display))
}

fn read_display(xvfb: &mut Stoppable) -> Result<String, String> {
    let stdout = xvfb.child_mut().stdout.take().ok_or("Xvfb has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading Xvfb's display: {e}"))?;
    let number = line.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("Xvfb did not report a display (got {line:?})"));
    }
    Ok(format!(":{number}"))
}
