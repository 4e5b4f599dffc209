//! D365 Connect's core. The desktop shell and the `d365c` CLI are thin
//! adapters over this crate; it must never depend on Tauri.

pub mod atomic_file;
pub mod checks;
pub mod connection;
pub mod dynamics;
pub mod export;
pub mod file_names;
pub mod guide;
mod html;
pub mod http;
pub mod identity;
pub mod last_check;
pub mod log_file;
pub mod problem;
pub mod product;
pub mod profiles;
pub mod proxy;
pub mod report;
pub mod saved_connections;
pub mod secret_expiry;
pub mod secrets;
pub mod setup;

pub use problem::{ErrorKind, UserError};
/// URLs in the core's API are this crate's, so the adapters need not name it.
pub use url::Url;

#[cfg(test)]
mod test_fixtures;
