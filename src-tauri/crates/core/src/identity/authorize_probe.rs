//! Would Entra start a sign-in for this app and redirect URI? Entra checks
//! the tenant, the client ID and the redirect URI before it shows any
//! sign-in page, and until the redirect URI is trusted it answers with its
//! own error page instead of redirecting (docs/microsoft.md §3). So an
//! anonymous GET of the authorize URL tells, without anyone signing in,
//! whether the registration would work.

use crate::identity::diagnose::EntraError;
use crate::identity::flow::FlowError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAnswer {
    /// A sign-in page, or a redirect to the redirect URI (which Entra only
    /// does once it trusts it).
    Trusted,
    /// Entra's error page, with its code and message.
    Refused(EntraError),
}

/// GETs the authorize URL (redirects are not followed) and reads the answer.
pub async fn probe(http: &reqwest::Client, authorize_url: &str) -> Result<ProbeAnswer, FlowError> {
    let host = || {
        url::Url::parse(authorize_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "Microsoft Entra".into())
    };
    let unreachable = |e: reqwest::Error| FlowError::Unreachable {
        host: host(),
        cause: crate::http::error_chain(&e),
    };
    let response = crate::http::send(http.get(authorize_url))
        .await
        .map_err(unreachable)?;
    if response.status().is_redirection() {
        return Ok(ProbeAnswer::Trusted);
    }
    let page = response.text().await.map_err(unreachable)?;
    Ok(match error_on_page(&page) {
        Some(error) => ProbeAnswer::Refused(error),
        None => ProbeAnswer::Trusted,
    })
}

/// The first `AADSTS<digits>: <message>` of an error page. ⚠ Entra's real
/// page is a script-driven app; this relies on the code and message being
/// in its text, as they are in what it shows ("Sorry, but we're having
/// trouble signing you in. AADSTS50011: …").
fn error_on_page(page: &str) -> Option<EntraError> {
    let mut rest = page;
    while let Some(at) = rest.find("AADSTS") {
        let candidate = &rest[at..];
        let digits = candidate["AADSTS".len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        let after = &candidate["AADSTS".len() + digits..];
        if digits >= 5 && after.starts_with(':') {
            let text_end = candidate.find(['<', '\n', '"']).unwrap_or(candidate.len());
            let raw = &candidate[..text_end];
            let description = quick_xml::escape::unescape(raw)
                .map(|s| s.into_owned())
                .unwrap_or_else(|_| raw.to_string());
            return Some(EntraError::from_redirect(
                "invalid_request",
                Some(description.trim()),
            ));
        }
        rest = &candidate["AADSTS".len()..];
    }
    None
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_code_and_message_off_an_error_page() {
        let page = "<html><p>Sorry, but we&rsquo;re having trouble signing you in.</p>\
            <p class=\"error\">AADSTS50011: The redirect URI &#39;http://localhost:1&#39; specified in the request does not match the redirect URIs configured for the application &#39;abc&#39;.</p></html>";
        let error = error_on_page(page).unwrap();
        assert_eq!(error.code(), Some(50011));
        assert!(error
            .error_description
            .starts_with("AADSTS50011: The redirect URI 'http://localhost:1' specified"));
    }

    #[test]
    fn a_sign_in_page_or_a_bare_mention_is_not_an_error() {
        assert_eq!(error_on_page("<html><form>Sign in</form></html>"), None);
        assert_eq!(error_on_page("var codes = ['AADSTS'];"), None);
        assert_eq!(error_on_page("AADSTS123: short code"), None);
    }
}
