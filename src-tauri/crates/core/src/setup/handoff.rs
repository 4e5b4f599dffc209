//! When the person at the keyboard is not an administrator: a pack they can
//! send to one. A readable PowerShell script (Microsoft Graph PowerShell,
//! docs/microsoft.md §11) that makes the same registration, the checklist
//! of what remains, and the reading of the script's output file, which
//! continues the wizard.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::identity::cloud::Cloud;
use crate::identity::scopes::Access;
use crate::problem::{ErrorKind, UserError};
use crate::secrets::Secret;
use crate::setup::admin::{role_names, GRAPH_SCOPES};
use crate::setup::plan::RegistrationPlan;
use crate::setup::register::SecretLifetime;

/// The file the script writes and D365 Connect imports.
pub const OUTPUT_FILE: &str = "d365-connect-app.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HandoffPack {
    /// `register-d365-connect.ps1`: no secret inside.
    pub script: String,
    pub script_file_name: String,
    /// The file the script writes, to import.
    pub output_file_name: String,
    pub checklist: Vec<String>,
    /// Who can run it.
    pub roles: Vec<String>,
}

/// Microsoft Graph PowerShell's environment names (`Connect-MgGraph
/// -Environment`); custom endpoints have none.
fn graph_environment(cloud: &Cloud) -> Option<&'static str> {
    match cloud {
        Cloud::Public => Some("Global"),
        Cloud::UsGov => Some("USGov"),
        Cloud::China => Some("China"),
        Cloud::Custom(_) => None,
    }
}

/// PowerShell single-quoted literal: quotes doubled, nothing expanded.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub fn pack(
    plan: &RegistrationPlan,
    cloud: &Cloud,
    tenant: &str,
    lifetime: SecretLifetime,
) -> HandoffPack {
    let (api_name, resource_app_id) = plan.product.entra_api();
    let environment = graph_environment(cloud)
        .map(|e| format!(" -Environment {e}"))
        .unwrap_or_default();
    let scopes = GRAPH_SCOPES[..3]
        .iter()
        .map(|s| quoted(s))
        .collect::<Vec<_>>()
        .join(",");
    let uris = |list: &[String]| list.iter().map(|u| quoted(u)).collect::<Vec<_>>().join(",");
    let access = plan
        .permissions
        .iter()
        .map(|(name, access)| match access {
            Access::Delegated => format!("@{{ Id = $scopeIds[{}]; Type = 'Scope' }}", quoted(name)),
            Access::Application => format!("@{{ Id = $roleIds[{}]; Type = 'Role' }}", quoted(name)),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let delegated: Vec<&str> = plan.delegated().collect();
    let roles: Vec<&str> = plan.application().collect();

    let mut s = String::new();
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    line(format!(
        "# D365 Connect: registers the app {} for {} in your organization.",
        quoted(&plan.display_name),
        plan.product.short_name()
    ));
    line("# Read it before you run it: it creates one app registration, its enterprise".into());
    line("# application and a client secret, and grants the permissions listed below.".into());
    line("# Run it in PowerShell 7 as a Cloud Application Administrator or Application".into());
    line("# Administrator. It needs Microsoft Graph PowerShell:".into());
    line("#   Install-Module Microsoft.Graph -Scope CurrentUser".into());
    line("$ErrorActionPreference = 'Stop'".into());
    line(format!(
        "Connect-MgGraph -TenantId {}{environment} -Scopes {scopes} -NoWelcome",
        quoted(tenant)
    ));
    line(String::new());
    line(format!(
        "# {api_name}: its permissions are looked up by name."
    ));
    line(format!(
        "$resource = Get-MgServicePrincipal -Filter \"appId eq '{resource_app_id}'\""
    ));
    line("$scopeIds = @{}; $resource.Oauth2PermissionScopes | ForEach-Object { $scopeIds[$_.Value] = $_.Id }".into());
    line(
        "$roleIds = @{}; $resource.AppRoles | ForEach-Object { $roleIds[$_.Value] = $_.Id }".into(),
    );
    line(String::new());
    line(
        "$app = New-MgApplication -DisplayName ".to_string()
            + &quoted(&plan.display_name)
            + " -SignInAudience AzureADMyOrg `",
    );
    line(format!(
        "  -PublicClient @{{ RedirectUris = @({}) }} `",
        uris(&plan.public_client_redirects)
    ));
    line(format!(
        "  -Web @{{ RedirectUris = @({}) }} `",
        uris(&plan.web_redirects)
    ));
    if access.is_empty() {
        line("  -RequiredResourceAccess @()".into());
    } else {
        line(format!("  -RequiredResourceAccess @(@{{ ResourceAppId = '{resource_app_id}'; ResourceAccess = @({access}) }})"));
    }
    line(String::new());
    line("# Entra copies a new app to all its servers within seconds to minutes.".into());
    line("$sp = $null".into());
    line("for ($try = 1; -not $sp; $try++) {".into());
    line("  try { $sp = New-MgServicePrincipal -AppId $app.AppId }".into());
    line("  catch { if ($try -ge 12) { throw }; Start-Sleep -Seconds 5 }".into());
    line("}".into());
    if !delegated.is_empty() {
        line(format!(
            "New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType AllPrincipals -ResourceId $resource.Id -Scope {} | Out-Null",
            quoted(&delegated.join(" "))
        ));
    }
    for role in &roles {
        line(format!(
            "New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $resource.Id -PrincipalId $sp.Id -ResourceId $resource.Id -AppRoleId $roleIds[{}] | Out-Null",
            quoted(role)
        ));
    }
    line(String::new());
    let output = if plan.needs_secret() {
        line(format!(
            "$secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{{ DisplayName = 'D365 Connect'; EndDateTime = (Get-Date).AddMonths({}) }}",
            lifetime.months()
        ));
        "secret = $secret.SecretText; secretKeyId = $secret.KeyId; secretHint = $secret.Hint; secretExpires = $secret.EndDateTime.ToString('o') "
    } else {
        ""
    };
    line(format!("# {OUTPUT_FILE} holds the app's secret: send it through a safe channel and delete it once imported."));
    line(format!(
        "[ordered]@{{ tenant = (Get-MgContext).TenantId; clientId = $app.AppId; {output}}} | ConvertTo-Json | Set-Content -Path {}",
        quoted(OUTPUT_FILE)
    ));
    line(format!(
        "Write-Host \"Done. Send {OUTPUT_FILE} back to the person setting up D365 Connect.\""
    ));

    let mut checklist = vec![
        "Send this script to an administrator of your organization (Cloud Application Administrator or Application Administrator).".to_string(),
        format!("They read it, run it in PowerShell 7, and send you {OUTPUT_FILE} through a safe channel."),
        "In D365 Connect choose \"Import the administrator's file\" and pick it; then delete the file.".into(),
    ];
    checklist.extend(product_side_checklist(plan));
    HandoffPack {
        script: s,
        script_file_name: "register-d365-connect.ps1".into(),
        output_file_name: OUTPUT_FILE.into(),
        checklist,
        roles: role_names(),
    }
}

fn product_side_checklist(plan: &RegistrationPlan) -> Vec<String> {
    use crate::product::Product::*;
    use crate::profiles::Registration::BackgroundService;
    match (plan.product, plan.registration) {
        (BusinessCentral, BackgroundService) => vec!["A Business Central administrator adds the client ID on the Microsoft Entra Applications page, with a permission set such as D365 READ.".into()],
        (FinanceOperations, BackgroundService) => vec!["A Finance & Operations administrator adds the client ID under System administration > Setup > Microsoft Entra applications, mapped to a user.".into()],
        (Dataverse, BackgroundService) => vec!["A Power Platform administrator creates the application user for the client ID in the environment and gives it a security role.".into()],
        _ => vec![],
    }
}

/// The script's output, read back.
#[derive(Debug)]
pub struct ImportedApp {
    pub tenant: String,
    pub client_id: String,
    pub secret: Option<Secret>,
    pub secret_key_id: Option<String>,
    pub secret_hint: Option<String>,
    pub secret_expires: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output {
    tenant: String,
    client_id: String,
    secret: Option<String>,
    secret_key_id: Option<String>,
    secret_hint: Option<String>,
    secret_expires: Option<String>,
}

/// Reads the administrator's file. PowerShell writes it with a byte order
/// mark in Windows PowerShell 5, so one is skipped.
pub fn read_output(text: &str) -> Result<ImportedApp, UserError> {
    let text = text.trim_start_matches('\u{feff}');
    let output: Output = serde_json::from_str(text).map_err(|e| {
        UserError::new(
            ErrorKind::InvalidInput,
            format!("This is not the file the setup script writes ({OUTPUT_FILE})."),
            "Pick the file your administrator sent you, unchanged.",
        )
        .with_details(e.to_string())
    })?;
    let uuid = |value: &str| uuid::Uuid::parse_str(value.trim()).is_ok();
    if !uuid(&output.client_id) {
        return Err(UserError::new(
            ErrorKind::InvalidInput,
            "The file's client ID is not a GUID.",
            "Ask your administrator to run the script again and send the new file.",
        ));
    }
    Ok(ImportedApp {
        tenant: output.tenant.trim().to_string(),
        client_id: output.client_id.trim().to_string(),
        secret: output.secret.filter(|s| !s.is_empty()).map(Secret::new),
        secret_key_id: output.secret_key_id,
        secret_hint: output.secret_hint,
        secret_expires: output.secret_expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::Product;
    use crate::profiles::Registration;

    fn bc_service() -> RegistrationPlan {
        RegistrationPlan::new(
            Product::BusinessCentral,
            Registration::BackgroundService,
            "Contoso's app",
        )
    }

    #[test]
    fn the_script_makes_the_same_registration_and_holds_no_secret() {
        let pack = pack(
            &bc_service(),
            &Cloud::Public,
            "contoso.onmicrosoft.com",
            SecretLifetime::Months6,
        );
        let s = &pack.script;
        assert!(
            s.contains("-DisplayName 'Contoso''s app'"),
            "quotes are doubled"
        );
        assert!(s.contains("appId eq '996def3d-b36c-4153-8607-a6fd3c01b89f'"));
        assert!(s.contains("@{ Id = $roleIds['API.ReadWrite.All']; Type = 'Role' }"));
        assert!(s.contains("-Web @{ RedirectUris = @('http://localhost') }"));
        assert!(s.contains("New-MgServicePrincipalAppRoleAssignedTo"));
        assert!(
            !s.contains("New-MgOauth2PermissionGrant"),
            "no delegated permissions to grant"
        );
        assert!(s.contains("AddMonths(6)"));
        assert!(s.contains("-Environment Global"));
        assert!(pack
            .checklist
            .iter()
            .any(|c| c.contains("Microsoft Entra Applications")));
    }

    #[test]
    fn a_public_client_gets_no_secret_and_a_delegated_grant() {
        let plan =
            RegistrationPlan::new(Product::Dataverse, Registration::SignInWithoutSecret, "x");
        let s = pack(&plan, &Cloud::UsGov, "t", SecretLifetime::Months12).script;
        assert!(!s.contains("Add-MgApplicationPassword"));
        assert!(s.contains("-Scope 'user_impersonation'"));
        assert!(s.contains("-Environment USGov"));
    }

    #[test]
    fn reads_the_scripts_output_and_refuses_anything_else() {
        let text = "\u{feff}{\"tenant\":\"7c2f5e1a-0d3b-4c8e-9a61-c5e0a1b2c3d4\",\"clientId\":\"3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40\",\"secret\":\"abc~secret\",\"secretKeyId\":\"k\",\"secretHint\":\"abc\",\"secretExpires\":\"2027-12-04T00:00:00Z\"}";
        let app = read_output(text).unwrap();
        assert_eq!(app.client_id, "3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40");
        assert_eq!(app.secret.unwrap().expose(), "abc~secret");
        assert!(!format!("{:?}", read_output(text).unwrap()).contains("abc~secret"));
        assert_eq!(read_output("{}").unwrap_err().kind, ErrorKind::InvalidInput);
        let bad_id = text.replace("3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40", "nope");
        assert_eq!(
            read_output(&bad_id).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }
}
