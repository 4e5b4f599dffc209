//! Reading Dynamics 365 data: environments, companies, the entity catalog
//! and paged queries, with one retry policy and one error type.

pub mod catalog;
pub mod discovery;
pub mod entity_definitions;
pub mod error;
pub mod headroom;
mod label;
pub mod metadata;
pub mod odata;
pub mod retry;
pub mod service;
