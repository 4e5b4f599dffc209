//! Why setup stopped, in words an administrator can act on.

use crate::problem::{ErrorKind, Explain, UserError};
use crate::setup::graph::{GraphError, ADMIN_FIX};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("Your account does not hold a role that can register apps and grant consent for your organization.")]
    NotAdministrator { roles: Vec<String> },
    #[error(
        "{api} is not set up in your organization, so there is nothing to give the app access to."
    )]
    ProductNotInTenant { api: &'static str },
    #[error("The product's API has no permission called {name}.")]
    PermissionUnknown { name: String },
    #[error("Your organization has {count} apps called '{name}', so D365 Connect cannot tell which one to complete.")]
    AmbiguousName { name: String, count: usize },
    #[error("These custom endpoints have no Microsoft Graph address, so D365 Connect cannot register the app for you.")]
    NoGraph,
    #[error("Setup could not finish: {0}")]
    Internal(String),
}

impl Explain for SetupError {
    fn kind(&self) -> ErrorKind {
        match self {
            SetupError::Graph(e) => e.kind(),
            SetupError::NotAdministrator { .. } => ErrorKind::AdministratorRequired,
            SetupError::ProductNotInTenant { .. } => ErrorKind::ResourceNotInTenant,
            SetupError::AmbiguousName { .. } | SetupError::NoGraph => ErrorKind::InvalidInput,
            SetupError::PermissionUnknown { .. } | SetupError::Internal(_) => ErrorKind::Internal,
        }
    }

    fn fix(&self) -> String {
        match self {
            SetupError::Graph(e) => e.fix(),
            SetupError::NotAdministrator { .. } => ADMIN_FIX.into(),
            SetupError::ProductNotInTenant { .. } => "Check that you signed in to the organization that uses the product (the account picker may have chosen another), or ask Microsoft or your partner to provision it.".into(),
            SetupError::NoGraph => "Register the app by hand with the guide, or send the hand-off pack to your administrator.".into(),
            SetupError::AmbiguousName { .. } => "Give the app a name of its own, or delete the extra copies under App registrations in the Microsoft Entra admin center.".into(),
            SetupError::PermissionUnknown { .. } | SetupError::Internal(_) => "Try again. If it keeps happening, copy the details for support, or set the app up yourself with the guide.".into(),
        }
    }

    fn details(&self) -> Option<String> {
        match self {
            SetupError::Graph(e) => e.details(),
            SetupError::NotAdministrator { roles } if roles.is_empty() => {
                Some("Your directory roles: none.".into())
            }
            SetupError::NotAdministrator { roles } => {
                Some(format!("Your directory roles: {}.", roles.join(", ")))
            }
            _ => None,
        }
    }

    fn explain(&self) -> UserError {
        UserError {
            kind: self.kind(),
            message: match self {
                SetupError::Graph(e) if e.kind() == ErrorKind::AdministratorRequired => {
                    "Microsoft Entra refused: your account may not register apps or grant consent for your organization.".into()
                }
                other => other.to_string(),
            },
            fix: self.fix(),
            details: self.details(),
            setting: None,
        }
    }
}
