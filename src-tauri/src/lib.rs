//! The desktop shell: window, state and command registration only. All
//! behaviour lives in d365-core; commands are thin adapters over it.

mod commands;
mod state;

use tauri::{Builder, Runtime};

pub use state::AppState;

/// Registers state and commands on any runtime, so tests can drive the same
/// app through `tauri::test::mock_builder`.
pub fn run_app<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .manage(AppState::default())
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::secrets::secret_store_status,
        ])
}

pub fn run() {
    if let Err(e) = run_app(Builder::default()).run(tauri::generate_context!()) {
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
        for name in super::commands::names::ALL {
            assert!(
                invoke(name).is_ok(),
                "command {name} is in names.rs but not registered"
            );
        }
        assert!(invoke("no_such_command").is_err());
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
