//! The cloud flags `d365c profile add` and `d365c setup` share.

use clap::{Args, ValueEnum};
use d365_core::identity::cloud::{Cloud, CustomCloud};
use d365_core::UserError;

use crate::outcome::usage;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CloudArg {
    Public,
    Usgov,
    China,
    Custom,
}

#[derive(Debug, Args)]
pub struct CloudArgs {
    #[arg(long, value_enum, default_value_t = CloudArg::Public)]
    cloud: CloudArg,
    /// Custom cloud: the Entra authority, e.g. http://127.0.0.1:8400/entra.
    #[arg(long)]
    authority: Option<String>,
    /// Custom cloud: the Business Central API root.
    #[arg(long)]
    bc_api: Option<String>,
    /// Custom cloud: the F&O environment URL.
    #[arg(long)]
    fno_url: Option<String>,
    /// Custom cloud: the Dataverse environment URL.
    #[arg(long)]
    dataverse_url: Option<String>,
    /// Custom cloud: the Dataverse Global Discovery root.
    #[arg(long)]
    globaldisco: Option<String>,
    /// Custom cloud: the Business Central token audience, if not Microsoft's.
    #[arg(long)]
    resource: Option<String>,
    /// Custom cloud: the Microsoft Graph root (for `d365c setup`).
    #[arg(long)]
    graph: Option<String>,
}

impl CloudArgs {
    pub fn cloud(&self) -> Result<Cloud, UserError> {
        let required = |value: &Option<String>, flag: &str| {
            value.clone().ok_or_else(|| {
                usage(
                    format!("--cloud custom needs {flag}."),
                    "Give every custom endpoint: --authority, --bc-api and --globaldisco.",
                )
            })
        };
        Ok(match self.cloud {
            CloudArg::Public => Cloud::Public,
            CloudArg::Usgov => Cloud::UsGov,
            CloudArg::China => Cloud::China,
            CloudArg::Custom => Cloud::Custom(CustomCloud {
                authority: required(&self.authority, "--authority")?,
                bc_api: required(&self.bc_api, "--bc-api")?,
                fno_url: self.fno_url.clone(),
                dataverse_url: self.dataverse_url.clone(),
                globaldisco: required(&self.globaldisco, "--globaldisco")?,
                bc_resource: self.resource.clone(),
                graph: self.graph.clone(),
            }),
        })
    }
}
