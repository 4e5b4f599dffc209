//! Thin `#[tauri::command]` adapters over d365-core, one file per area.
//! Every command returns `Result<T, UserError>` so errors reach the UI as
//! `{ kind, message, fix, details }`, never as a bare string.

pub mod about;
pub mod app;
pub mod checks;
pub mod data;
pub mod files;
pub mod guide;
pub mod identity;
pub mod inputs;
#[cfg(test)] // build.rs reads it too, through #[path]
pub mod names;
mod paths;
pub mod profiles;
pub mod sandbox;
pub mod secret_renewal;
pub mod secrets;
pub mod setup;
