//! Reading Dynamics 365 data: environments, companies, the entity catalog
//! and paged queries, with one retry policy and one error type.

pub mod discovery;
pub mod error;
pub mod odata;
pub mod retry;
pub mod service;
