//! The desktop shell: window, state and command registration only. All
//! behaviour lives in d365-core; commands are thin adapters over it.

#[cfg(test)]
mod bundle_review;
mod commands;
mod licences;
mod navigation;
#[cfg(target_os = "linux")]
mod page_memory;
#[cfg(target_os = "linux")]
mod rendering;
mod saved_files;
#[cfg(test)]
mod security_review;
mod state;

use tauri::{Builder, Manager, Runtime};

pub use state::AppState;

/// Registers state and commands on any runtime, so tests can drive the same
/// app through `tauri::test::mock_builder`.
pub fn run_app<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(navigation::guard())
        // Called from Rust only (commands/files.rs): the window is granted
        // none of their own commands.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(AppState::default())
        .invoke_handler(logged(tauri::generate_handler![
            commands::app::app_info,
            commands::about::about,
            commands::about::save_log_copy,
            commands::secrets::secret_store_status,
            commands::profiles::list_profiles,
            commands::profiles::save_profile,
            commands::profiles::delete_profile,
            commands::profiles::rename_profile,
            commands::profiles::duplicate_profile,
            commands::profiles::secret_expiry,
            commands::inputs::check_tenant,
            commands::inputs::check_client_id,
            commands::inputs::check_secret,
            commands::inputs::read_bc_url,
            commands::inputs::check_environment_url,
            commands::guide::registration_guide,
            commands::guide::permissions,
            commands::sandbox::start_sandbox,
            commands::data::list_environments,
            commands::data::list_companies,
            commands::data::find_company,
            commands::data::list_entities,
            commands::data::entity_columns,
            commands::data::open_table,
            commands::data::more_rows,
            commands::data::table_rows,
            commands::data::close_table,
            commands::data::export_table,
            commands::data::cancel_operation,
            commands::files::choose_save_path,
            commands::files::open_saved_file,
            commands::files::show_saved_file,
            commands::checks::token_info,
            commands::identity::sign_in,
            commands::identity::admin_consent,
            commands::identity::open_in_browser,
            commands::checks::run_checks,
            commands::checks::save_report,
            commands::checks::check_all,
            commands::checks::save_fleet_report,
            commands::setup::setup_defaults,
            commands::setup::setup_sign_in_info,
            commands::setup::setup_sign_in,
            commands::setup::setup_register,
            commands::setup::end_setup,
            commands::secret_renewal::replace_secret,
            commands::setup::setup_business_central_page,
            commands::setup::setup_dataverse_roles,
            commands::setup::setup_dataverse_user,
            commands::setup::setup_fno_options,
            commands::setup::setup_fno_application,
            commands::setup::setup_handoff,
            commands::setup::save_handoff_script,
            commands::setup::import_handoff,
        ]))
}

/// Commands the page calls as the person types or scrolls: the log would
/// be all of them.
const UNLOGGED: [&str; 6] = [
    "table_rows",
    "check_tenant",
    "check_client_id",
    "check_secret",
    "read_bc_url",
    "check_environment_url",
];

/// Writes each command the page calls in the log: its name, never its
/// arguments (a secret being saved, a record's fields).
fn logged<R: Runtime>(
    handler: impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static,
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    move |invoke| {
        let command = invoke.message.command();
        if !UNLOGGED.contains(&command) {
            tracing::info!("The page asked for {command}");
        }
        handler(invoke)
    }
}

/// Starts the log in the platform's folder for app logs, and writes what
/// support asks first: the version, the system and the proxy.
fn start_log<R: Runtime>(app: &tauri::App<R>) {
    let folder = app.path().app_log_dir().map_err(|e| {
        d365_core::UserError::new(
            d365_core::ErrorKind::Internal,
            "This computer has no folder for application logs.",
            "D365 Connect works without its log.",
        )
        .with_details(e.to_string())
    });
    let log = folder.and_then(|folder| {
        d365_core::log_file::LogFile::start(&folder, "d365-connect").map_err(Into::into)
    });
    let info = app.package_info();
    tracing::info!(
        "{} {} started on {} {}",
        info.name,
        info.version,
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    tracing::info!(
        "{}",
        d365_core::proxy::ProxySettings::from_environment().summary
    );
    // The window exists by now, and with it the web context.
    #[cfg(target_os = "linux")]
    tracing::info!("{}", page_memory::summary());
    app.state::<AppState>().keep_log(log);
}

pub fn run() {
    #[cfg(target_os = "linux")]
    rendering::choose_painting();
    #[cfg(target_os = "linux")]
    page_memory::limit_page_memory();
    let app = run_app(Builder::default()).setup(|app| {
        start_log(app);
        Ok(())
    });
    if let Err(e) = app.run(tauri::generate_context!()) {
        eprintln!("D365 Connect could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::WebviewWindowBuilder;

    fn invoke(name: &str) -> Result<serde_json::Value, serde_json::Value> {
        let app = super::run_app(mock_builder())
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: name.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::default(),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<serde_json::Value>().unwrap())
    }

    #[test]
    fn every_permitted_command_is_registered() {
        // Commands without their arguments fail on the arguments; an
        // unregistered one fails on its name.
        let unknown = invoke("no_such_command").unwrap_err().to_string();
        assert!(unknown.contains("not found"), "{unknown}");
        for name in super::commands::names::ALL {
            let answer = invoke(name).map_err(|e| e.to_string());
            assert!(
                !answer.as_ref().is_err_and(|e| e.contains("not found")),
                "command {name} is in names.rs but not registered: {answer:?}"
            );
        }
    }

    #[test]
    fn app_info_reports_name_and_version() {
        let info = invoke("app_info").unwrap();
        assert!(info["version"].as_str().is_some_and(|v| !v.is_empty()));
        assert!(info["name"].is_string());
    }

    #[test]
    fn secret_store_status_reports_a_known_backend() {
        let status = invoke("secret_store_status").unwrap();
        let backend = status["backend"].as_str().unwrap();
        assert!(
            [
                "SecretService",
                "MacKeychain",
                "WindowsCredentialManager",
                "MemoryOnly"
            ]
            .contains(&backend),
            "{status}"
        );
        assert_eq!(status["persistent"], backend != "MemoryOnly");
    }
}
