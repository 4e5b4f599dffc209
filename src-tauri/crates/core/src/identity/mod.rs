//! Getting a correct token from Microsoft Entra for a Dynamics 365 product,
//! and explaining it when that fails.

pub mod authorize_probe;
pub mod browser;
pub mod claims;
pub mod cloud;
pub mod diagnose;
pub mod flow;
pub mod input;
pub mod loopback;
pub mod scopes;
pub mod sign_in;
pub mod tenant;
pub mod token_cache;
pub mod verdict;
