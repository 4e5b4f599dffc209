//! An empty Tauri 2 window, the baseline of the startup and memory
//! benchmarks: it prints `ready` when its page has rendered, as the app
//! does with `D365_STARTUP_PROBE` set.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[tauri::command]
fn ready() {
    println!("ready");
}

fn main() {
    if let Err(e) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
    {
        eprintln!("the bare window could not start: {e}");
        std::process::exit(1);
    }
}
