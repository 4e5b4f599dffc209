//! Entra's HTML pages: the sign-in + consent form, the error page and the
//! `response_mode=form_post` reply. Self-contained: no scripts except
//! form_post's auto-submit, no external assets.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::aadsts::{AadError, Trace};

/// One permission line on the consent part of the page.
pub struct PermissionLine {
    pub resource: String,
    pub name: String,
    pub description: String,
}

pub struct SignInPage<'a> {
    /// "Sign in" or "Grant admin consent".
    pub heading: &'a str,
    pub app_name: &'a str,
    pub tenant_label: &'a str,
    pub permissions: &'a [PermissionLine],
    /// Where the form posts (the GET's path).
    pub action: &'a str,
    pub flow: &'a str,
    pub login_hint: &'a str,
    /// Shown above the fields after a failed attempt.
    pub message: Option<&'a str>,
    /// The organization already granted everything asked for.
    pub already_granted: bool,
    /// Shows "Consent on behalf of your organization", unticked as in
    /// Entra.
    pub offers_organization_consent: bool,
}

const STYLE: &str = "body{font-family:'Segoe UI',system-ui,sans-serif;background:#f2f2f2;margin:0}\
main{max-width:440px;margin:48px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}\
h1{font-size:24px;font-weight:600;margin:0 0 16px}label{display:block;margin:12px 0 4px}\
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:6px;font-size:15px}\
ul{padding-left:20px}li{margin:6px 0}.muted{color:#555;font-size:13px}\
.error{color:#e81123;margin:8px 0}.buttons{margin-top:24px;display:flex;gap:8px;justify-content:flex-end}\
button{min-width:108px;padding:6px 12px;font-size:15px;border:1px solid #8c8c8c;background:#fff}\
button.primary{background:#0067b8;color:#fff;border-color:#0067b8}\
.banner{font-weight:600;color:#737373;margin-bottom:16px}pre{white-space:pre-wrap;font-size:12px}";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\
         <div class=\"banner\">Sandbox tenant &middot; not Microsoft</div>{body}</main></body></html>",
        esc(title)
    )
}

pub fn sign_in(page: &SignInPage<'_>) -> Response {
    let message = page
        .message
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(m)))
        .unwrap_or_default();
    let mut permissions = String::new();
    for p in page.permissions {
        permissions.push_str(&format!(
            "<li><strong>{}</strong> &middot; {}<br><span class=\"muted\">{}</span></li>",
            esc(&p.name),
            esc(&p.resource),
            esc(&p.description)
        ));
    }
    let consent = if page.permissions.is_empty() {
        String::new()
    } else {
        let note = if page.already_granted {
            "<p class=\"muted\">An administrator has already granted these for your organization.</p>"
        } else {
            "<p class=\"muted\">Accepting lets the app use these permissions as you have specified in \
             its registration.</p>"
        };
        let organization = if page.offers_organization_consent {
            format!(
                "<label><input type=\"checkbox\" name=\"{}\" value=\"true\"> Consent on behalf of your \
                 organization</label><p class=\"muted\">Administrators only: grants these permissions for \
                 everyone in the organization.</p>",
                super::signin::ORGANIZATION_CONSENT_FIELD
            )
        } else {
            String::new()
        };
        format!("<h2>Permissions requested</h2><p>{} needs permission to:</p><ul>{permissions}</ul>{note}{organization}", esc(page.app_name))
    };
    let body = format!(
        "<h1>{heading}</h1>\
         <p><strong>{app}</strong> &middot; {tenant}</p>{message}\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"flow\" value=\"{flow}\">\
         <label for=\"login\">Email, phone, or Skype</label>\
         <input type=\"email\" id=\"login\" name=\"login\" value=\"{hint}\" autocomplete=\"username\" required>\
         <label for=\"passwd\">Password</label>\
         <input type=\"password\" id=\"passwd\" name=\"passwd\" autocomplete=\"current-password\" required>\
         {consent}\
         <div class=\"buttons\">\
         <button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button>\
         <button type=\"submit\" name=\"action\" value=\"accept\" class=\"primary\">Accept</button>\
         </div></form>",
        heading = esc(page.heading),
        app = esc(page.app_name),
        tenant = esc(page.tenant_label),
        action = esc(page.action),
        flow = esc(page.flow),
        hint = esc(page.login_hint),
    );
    Html(document(page.heading, &body)).into_response()
}

/// Entra's "Sorry, but we're having trouble signing you in" page, shown
/// when it cannot trust the redirect URI (docs/microsoft.md §3).
pub fn error_page(error: &AadError, trace: &Trace) -> Response {
    let body = format!(
        "<h1>Sign in</h1><p>Sorry, but we&rsquo;re having trouble signing you in.</p>\
         <p class=\"error\">AADSTS{code}: {message}</p>\
         <h2>Troubleshooting details</h2><pre>Error Code: {code}\nRequest Id: {trace}\n\
         Correlation Id: {corr}\nTimestamp: {ts}\nMessage: AADSTS{code}: {message}</pre>",
        code = error.code,
        message = esc(&error.message),
        trace = trace.trace_id,
        corr = trace.correlation_id,
        ts = trace.timestamp,
    );
    (
        error.status,
        Html(document("Sign in to your account", &body)),
    )
        .into_response()
}

/// `response_mode=form_post`: a page that posts the parameters to the
/// redirect URI as soon as it loads.
pub fn form_post(uri: &str, params: &[(&str, String)]) -> Response {
    let fields: String = params
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    let body = format!(
        "<form method=\"post\" action=\"{}\">{fields}<noscript><button type=\"submit\">Continue</button>\
         </noscript></form><script>document.forms[0].submit()</script>",
        esc(uri)
    );
    (StatusCode::OK, Html(document("Working...", &body))).into_response()
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
