//! The names of every command the UI may call. build.rs turns each into a
//! permission (`allow-<name>`) and capabilities/main.json grants them; keep
//! the three in step (a test in lib.rs checks every name is registered).

pub const ALL: &[&str] = &[
    "app_info",
    "secret_store_status",
    "list_profiles",
    "save_profile",
    "delete_profile",
    "rename_profile",
    "duplicate_profile",
    "check_tenant",
    "check_client_id",
    "check_secret",
    "read_bc_url",
    "check_environment_url",
    "registration_guide",
    "permissions",
    "start_sandbox",
    "list_environments",
    "list_companies",
    "list_entities",
    "entity_columns",
    "open_table",
    "more_rows",
    "close_table",
    "export_table",
    "cancel_operation",
    "token_info",
    "run_checks",
    "save_report",
];
