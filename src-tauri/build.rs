fn main() {
    // An app manifest turns every command into a permission of its own, so
    // the capability file can grant exactly the commands the UI needs.
    let manifest = tauri_build::AppManifest::new().commands(d365_connect_commands::ALL);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}

#[path = "src/commands/names.rs"]
mod d365_connect_commands;
