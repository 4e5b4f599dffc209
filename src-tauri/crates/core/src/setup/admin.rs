//! Signing the administrator in before our own app exists: a public client
//! that can be consented to Graph's app-management scopes, through the same
//! browser and loopback machinery as every sign-in (docs/microsoft.md §11).

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::identity::browser::Browser;
use crate::identity::cloud::Cloud;
use crate::identity::flow::{EntraClient, FlowError, TokenSet};
use crate::identity::sign_in::{sign_in, OnEvent, SignInError, SignInOptions};
use crate::secrets::Secret;
use crate::setup::error::SetupError;
use crate::setup::graph::Graph;

/// Microsoft's "Microsoft Graph Command Line Tools", the public client
/// Microsoft Graph PowerShell and BcContainerHelper sign in with to create
/// apps; unlike Azure CLI's it can be consented to these scopes
/// (docs/microsoft.md §11). An organization may name its own setup app.
pub const GRAPH_COMMAND_LINE_TOOLS: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// Graph's delegated permissions setup needs (docs/microsoft.md §9):
/// register the app and its secret, grant delegated and application
/// permissions; `User.Read` reads the person's own directory roles.
pub const GRAPH_SCOPES: [&str; 4] = [
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "User.Read",
];

/// What the person is told before the browser opens: which app they sign
/// in to, why, and the role they need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SetupSignInInfo {
    pub client_id: String,
    pub app_name: String,
    pub why: String,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
}

/// Directory roles that may register apps and grant tenant-wide consent
/// to non-Graph APIs, by role template ID (docs/microsoft.md §9; IDs from
/// Entra's built-in roles reference).
pub const ADMIN_ROLES: [(&str, &str); 4] = [
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
];

/// What the administrator signs in for: the words before the browser opens
/// say what D365 Connect will do with the sign-in, and no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum AdminTask {
    /// Register the connection's app ("Set it up for me").
    Setup,
    /// Give the connection's app a new secret and remove the old one.
    ReplaceSecret,
}

/// The roles that can run setup, as the person is told (a Global
/// Administrator can too).
pub fn role_names() -> Vec<String> {
    [
        "Cloud Application Administrator",
        "Application Administrator",
        "Privileged Role Administrator",
    ]
    .map(String::from)
    .to_vec()
}

pub fn sign_in_info(setup_client_id: &str, task: AdminTask) -> SetupSignInInfo {
    let ours = setup_client_id.eq_ignore_ascii_case(GRAPH_COMMAND_LINE_TOOLS);
    let borrowed = match (ours, task) {
        (true, AdminTask::Setup) => "D365 Connect has no app in your organization yet, so it borrows this one, the app Microsoft's own Graph PowerShell uses, to create it. ",
        (true, AdminTask::ReplaceSecret) => "It is the app Microsoft's own Graph PowerShell uses. ",
        (false, _) => "",
    };
    let allows = match task {
        AdminTask::Setup => {
            "register one app, give it a secret if it needs one and grant its permissions"
        }
        AdminTask::ReplaceSecret => {
            "add a new secret to this connection's app and remove the old one"
        }
    };
    SetupSignInInfo {
        client_id: setup_client_id.to_string(),
        app_name: if ours {
            "Microsoft Graph Command Line Tools".into()
        } else {
            "your organization's setup app".into()
        },
        why: format!("{borrowed}The sign-in lets D365 Connect {allows}, and nothing else."),
        roles: role_names(),
        permissions: GRAPH_SCOPES.map(String::from).to_vec(),
    }
}

/// An administrator signed in for setup: a Graph token, and the means to
/// get tokens for the product's side (one resource per token).
pub struct AdminSession {
    client: EntraClient,
    graph: TokenSet,
    refresh: Option<Secret>,
}

impl AdminSession {
    /// Opens the browser for the administrator's sign-in.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_in(
        http: reqwest::Client,
        cloud: &Cloud,
        tenant: &str,
        setup_client_id: &str,
        browser: &dyn Browser,
        options: SignInOptions,
        cancel: &CancellationToken,
        on_event: OnEvent<'_>,
    ) -> Result<Self, SignInError> {
        let client = EntraClient::new(http, cloud, tenant, setup_client_id, None)?;
        let scopes = graph_scopes(cloud);
        let graph = sign_in(&client, &scopes, browser, options, cancel, on_event).await?;
        let refresh = graph.refresh_token.clone();
        Ok(Self {
            client,
            graph,
            refresh,
        })
    }

    pub fn graph_token(&self) -> &Secret {
        &self.graph.access_token
    }

    /// Microsoft Graph as this administrator, in `cloud`.
    pub fn graph(&self, http: reqwest::Client, cloud: &Cloud) -> Result<Graph, SetupError> {
        Ok(Graph::new(
            http,
            graph_root(cloud)?,
            self.graph_token().clone(),
        ))
    }

    /// A token for one product resource (`{resource}/.default`), redeemed
    /// from the sign-in's refresh token; `Ok(None)` when Entra wants the
    /// person back in the browser first (consent for that resource).
    pub async fn token_for(&mut self, resource: &str) -> Result<Option<Secret>, FlowError> {
        let Some(refresh) = self.refresh.clone() else {
            return Ok(None);
        };
        let scopes = vec![format!("{}/.default", resource.trim_end_matches('/'))];
        match self.client.refresh(&refresh, &scopes).await {
            Ok(tokens) => Ok(Some(self.keep(tokens))),
            Err(e) if e.needs_new_sign_in() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The browser round trip for a resource `token_for` could not get.
    pub async fn sign_in_for(
        &mut self,
        resource: &str,
        browser: &dyn Browser,
        options: SignInOptions,
        cancel: &CancellationToken,
        on_event: OnEvent<'_>,
    ) -> Result<Secret, SignInError> {
        let scopes = vec![
            format!("{}/.default", resource.trim_end_matches('/')),
            "offline_access".to_string(),
        ];
        let tokens = sign_in(&self.client, &scopes, browser, options, cancel, on_event).await?;
        Ok(self.keep(tokens))
    }

    /// The access token; Entra usually rotates the refresh token, and the
    /// newest one is the one to redeem next.
    fn keep(&mut self, tokens: TokenSet) -> Secret {
        if let Some(rotated) = tokens.refresh_token {
            self.refresh = Some(rotated);
        }
        tokens.access_token
    }
}

/// Where setup calls Graph; a custom cloud without one cannot be set up
/// automatically (asked before anyone signs in).
pub fn graph_root(cloud: &Cloud) -> Result<&str, SetupError> {
    cloud.graph_url().ok_or(SetupError::NoGraph)
}

fn graph_scopes(cloud: &Cloud) -> Vec<String> {
    let root = cloud.graph_resource();
    GRAPH_SCOPES
        .iter()
        .map(|s| format!("{root}/{s}"))
        .chain(["openid", "profile", "offline_access"].map(String::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_graph_for_exactly_the_setup_scopes_on_one_resource() {
        let scopes = graph_scopes(&Cloud::Public);
        assert_eq!(
            scopes[0],
            "https://graph.microsoft.com/Application.ReadWrite.All"
        );
        assert_eq!(scopes.len(), 7);
        assert!(scopes[..4]
            .iter()
            .all(|s| s.starts_with("https://graph.microsoft.com/")));
    }

    #[test]
    fn names_the_borrowed_app_or_the_organizations_own_and_the_task() {
        let borrowed = sign_in_info(GRAPH_COMMAND_LINE_TOOLS, AdminTask::Setup);
        assert_eq!(borrowed.app_name, "Microsoft Graph Command Line Tools");
        assert!(
            borrowed.why.contains("Graph PowerShell"),
            "{}",
            borrowed.why
        );
        assert!(
            borrowed.why.contains("register one app"),
            "{}",
            borrowed.why
        );
        let own = sign_in_info(
            "11111111-2222-3333-4444-555555555555",
            AdminTask::ReplaceSecret,
        );
        assert_eq!(own.app_name, "your organization's setup app");
        assert!(!own.why.contains("PowerShell"), "{}", own.why);
        assert!(own.why.contains("remove the old one"), "{}", own.why);
    }
}
