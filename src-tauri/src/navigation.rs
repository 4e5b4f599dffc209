//! The WebView shows our own bundled pages and nothing else. Links to
//! Microsoft's pages go to the system browser (`open_in_browser`); a page
//! that tries to navigate the window anywhere else (a stray link, injected
//! script) is stopped here, so no remote content ever runs next to our IPC.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::Runtime;
use url::Url;

/// Whether `url` is one of the app's own bundled pages. Tauri serves them
/// as `tauri://localhost` on Linux and macOS and as `http(s)://tauri.localhost`
/// on Windows.
pub fn is_app_page(url: &Url) -> bool {
    let host = url.host_str();
    match url.scheme() {
        "tauri" => host == Some("localhost"),
        "http" | "https" => host == Some("tauri.localhost") && url.port().is_none(),
        _ => false,
    }
}

/// Refuses every navigation away from the app's own pages.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(|_, url| {
            let allowed = is_app_page(url);
            if !allowed {
                // The scheme and host only: a URL may carry a code or token.
                eprintln!(
                    "D365 Connect stopped the window from leaving the app for {}://{}",
                    url.scheme(),
                    url.host_str().unwrap_or("")
                );
            }
            allowed
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::is_app_page;

    fn page(url: &str) -> bool {
        is_app_page(&url.parse().unwrap())
    }

    #[test]
    fn only_the_bundled_pages_are_app_pages() {
        assert!(page("tauri://localhost/"));
        assert!(page("tauri://localhost/index.html#browse"));
        assert!(page("http://tauri.localhost/"));
        assert!(page("https://tauri.localhost/assets/index.js"));
        for outside in [
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            "https://entra.microsoft.com/",
            "http://127.0.0.1:8400/",
            "http://localhost/",
            "https://tauri.localhost.example.com/",
            "https://tauri.localhost:8443/",
            "tauri://evil.example/",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "javascript:alert(1)",
            "about:blank",
        ] {
            assert!(!page(outside), "{outside} must not be shown in the window");
        }
    }
}
