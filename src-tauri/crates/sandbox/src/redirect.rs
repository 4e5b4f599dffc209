//! Redirect URI matching, docs/microsoft.md §1: scheme, host, path and
//! query must match; the port is ignored only for localhost; paths are
//! case-sensitive; a URI without a path means `/`. It takes the registered
//! URIs as plain data, each tagged with what it is registered under.

use url::Url;

/// How much of the requested URI must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Exact,
    /// Admin consent accepts a registered URI "with additional path
    /// segments" (docs/microsoft.md §4).
    AllowExtraPath,
}

/// The registered URI a requested one matches, with its tag (an app's
/// platform); the first in `registered` order (the portal's) when several
/// differ only by port (§1: "server picks one arbitrarily").
pub fn find<'a, T>(
    registered: impl IntoIterator<Item = (T, &'a str)>,
    requested: &str,
    how: Match,
) -> Option<(T, &'a str)> {
    let wanted = Url::parse(requested).ok()?;
    if wanted.fragment().is_some() {
        return None;
    }
    registered
        .into_iter()
        .find(|(_, registered)| Url::parse(registered).is_ok_and(|r| matches(&r, &wanted, how)))
}

/// `localhost` and `127.0.0.1` both count as loopback; docs/microsoft.md (§1)
/// say community reports treat 127.0.0.1 like localhost for port matching.
pub fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost") | Some("127.0.0.1"))
}

fn matches(registered: &Url, requested: &Url, how: Match) -> bool {
    // `Url` lowercases scheme and host, and turns an empty path into `/`.
    if registered.scheme() != requested.scheme() || registered.host() != requested.host() {
        return false;
    }
    if !is_loopback(registered)
        && registered.port_or_known_default() != requested.port_or_known_default()
    {
        return false;
    }
    if registered.query() != requested.query() {
        return false;
    }
    let (have, want) = (registered.path(), requested.path());
    match how {
        Match::Exact => have == want,
        Match::AllowExtraPath => {
            have == want
                || want
                    .strip_prefix(have.trim_end_matches('/'))
                    .is_some_and(|rest| rest.starts_with('/'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Registered URIs tagged with their platform, web ones first as in
    /// the portal.
    fn app_with<'a>(web: &[&'a str], native: &[&'a str]) -> Vec<(&'static str, &'a str)> {
        let web = web.iter().map(|uri| ("web", *uri));
        web.chain(native.iter().map(|uri| ("native", *uri)))
            .collect()
    }

    fn find_in<'a>(
        app: &[(&'static str, &'a str)],
        requested: &str,
        how: Match,
    ) -> Option<(&'static str, &'a str)> {
        find(app.iter().copied(), requested, how)
    }

    #[test]
    fn localhost_ignores_the_port_but_not_the_path_or_its_case() {
        let app = app_with(&["http://localhost/MyApp"], &[]);
        let exact = |u: &str| find_in(&app, u, Match::Exact).is_some();
        assert!(exact("http://localhost/MyApp"));
        assert!(exact("http://localhost:1234/MyApp"));
        assert!(exact("http://LOCALHOST:5000/MyApp"));
        assert!(!exact("http://localhost:1234/myapp"));
        assert!(!exact("http://localhost:1234/MyApp/x"));
        assert!(!exact("https://localhost/MyApp"));
        assert!(!exact("http://[::1]:1234/MyApp"));
    }

    #[test]
    fn no_path_means_slash() {
        let app = app_with(&[], &["http://localhost"]);
        assert_eq!(
            find_in(&app, "http://localhost:51234", Match::Exact),
            Some(("native", "http://localhost"))
        );
        assert!(find_in(&app, "http://localhost:51234/", Match::Exact).is_some());
        assert!(find_in(&app, "http://localhost:51234/cb", Match::Exact).is_none());
    }

    #[test]
    fn other_hosts_keep_their_port() {
        let app = app_with(&["https://app.example.com/cb"], &[]);
        assert!(find_in(&app, "https://app.example.com:443/cb", Match::Exact).is_some());
        assert!(find_in(&app, "https://app.example.com:8443/cb", Match::Exact).is_none());
        assert!(find_in(&app, "http://app.example.com/cb", Match::Exact).is_none());
    }

    #[test]
    fn admin_consent_allows_extra_path_segments() {
        let app = app_with(&["https://app.example.com/admin"], &[]);
        assert!(find_in(
            &app,
            "https://app.example.com/admin/done",
            Match::AllowExtraPath
        )
        .is_some());
        assert!(find_in(
            &app,
            "https://app.example.com/administrator",
            Match::AllowExtraPath
        )
        .is_none());
        assert!(find_in(&app, "https://app.example.com/admin/done", Match::Exact).is_none());
    }

    #[test]
    fn the_platform_comes_from_the_matching_registration() {
        let app = app_with(&["http://localhost/web"], &["http://localhost/native"]);
        assert_eq!(
            find_in(&app, "http://localhost:1/web", Match::Exact).map(|m| m.0),
            Some("web")
        );
        assert_eq!(
            find_in(&app, "http://localhost:1/native", Match::Exact).map(|m| m.0),
            Some("native")
        );
    }
}
