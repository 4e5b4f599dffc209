// Reports the first frame the way the app's start page does: one command
// call once the first frame has been painted (the second animation frame).
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("ready")));
