fn main() {
    tauri_build::try_build(tauri_build::Attributes::new())
        .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}
