//! The names of every command the UI may call. build.rs turns each into a
//! permission (`allow-<name>`) and capabilities/main.json grants them; keep
//! the three in step (a test in lib.rs checks every name is registered).

pub const ALL: &[&str] = &["app_info", "secret_store_status"];
