//! "Set it up for me": one administrator's sign-in registers the app in
//! Microsoft Entra through Microsoft Graph, makes its secret, grants consent
//! and prepares the product (docs/microsoft.md §9–§11). The manual guide
//! (`guide`) stays the alternative.

pub mod admin;
pub mod connection;
pub mod error;
pub mod graph;
pub mod handoff;
pub mod patience;
pub mod plan;
pub mod product_side;
pub mod progress;
pub mod record;
pub mod register;
pub mod renew;

pub use error::SetupError;
