//! Harness for end-to-end tests: the real desktop app in a real window under
//! Xvfb, driven through tauri-driver and WebKitWebDriver, and the `d365c`
//! binary as scripts run it.

pub mod cli;
pub mod desktop;
pub mod processes;
