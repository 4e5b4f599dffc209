// Reports the first frame the way the app's start page does: one command
// call after the page has rendered.
requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("ready"));
