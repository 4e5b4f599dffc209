//! The cloud flags `d365c profile add` and `d365c setup` share.

use clap::{Args, ValueEnum};
use d365_core::identity::cloud::{Cloud, CustomCloud};
use d365_core::product::Product;
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
    /// Custom cloud: the Business Central API root (Business Central only).
    #[arg(long)]
    bc_api: Option<String>,
    /// Custom cloud: the F&O environment URL.
    #[arg(long)]
    fno_url: Option<String>,
    /// Custom cloud: the Dataverse environment URL.
    #[arg(long)]
    dataverse_url: Option<String>,
    /// Custom cloud: the Dataverse Global Discovery root (lists environments;
    /// not needed with --environment).
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
    /// The cloud for `product`: custom endpoints need only what that
    /// product calls (Business Central its API root; Global Discovery only
    /// lists Dataverse environments, which a given URL makes unnecessary).
    pub fn cloud(&self, product: Product) -> Result<Cloud, UserError> {
        let required = |value: &Option<String>, flag: &str, why: &str| {
            value.clone().ok_or_else(|| {
                usage(
                    format!("--cloud custom needs {flag}{why}."),
                    format!("Add {flag} with the endpoint's address."),
                )
            })
        };
        Ok(match self.cloud {
            CloudArg::Public => Cloud::Public,
            CloudArg::Usgov => Cloud::UsGov,
            CloudArg::China => Cloud::China,
            CloudArg::Custom => Cloud::Custom(CustomCloud {
                authority: required(&self.authority, "--authority", "")?,
                bc_api: match product {
                    Product::BusinessCentral => {
                        Some(required(&self.bc_api, "--bc-api", " for Business Central")?)
                    }
                    _ => self.bc_api.clone(),
                },
                fno_url: self.fno_url.clone(),
                dataverse_url: self.dataverse_url.clone(),
                globaldisco: self.globaldisco.clone(),
                bc_resource: self.resource.clone(),
                graph: self.graph.clone(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        cloud: CloudArgs,
    }

    fn parse(args: &[&str]) -> CloudArgs {
        Flags::try_parse_from(std::iter::once("d365c").chain(args.iter().copied()))
            .unwrap()
            .cloud
    }

    #[test]
    fn custom_endpoints_are_asked_for_only_where_the_product_uses_them() {
        let fno = parse(&[
            "--cloud",
            "custom",
            "--authority",
            "http://127.0.0.1:1/entra",
        ]);
        let Cloud::Custom(custom) = fno.cloud(Product::FinanceOperations).unwrap() else {
            panic!("not custom")
        };
        assert_eq!(custom.bc_api, None);
        assert_eq!(custom.globaldisco, None);
        let missing = fno.cloud(Product::BusinessCentral).unwrap_err();
        assert!(missing.message.contains("--bc-api"), "{}", missing.message);
        assert!(
            parse(&["--cloud", "custom"])
                .cloud(Product::Dataverse)
                .is_err(),
            "the authority is always needed"
        );
    }
}
