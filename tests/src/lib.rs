//! Harness for end-to-end tests: the real desktop app in a real window under
//! Xvfb, driven through tauri-driver and WebKitWebDriver.

pub mod desktop;
pub mod processes;
