//! The small pages the listener answers the browser with. Self-contained
//! (inline style, no script, nothing loaded from anywhere), light or dark
//! as the person's system is.

use super::{Callback, LoopbackError};
use crate::html::escape;
use crate::problem::{Explain, UserError};

pub(super) struct Reply {
    pub status: u16,
    pub html: String,
}

/// The page that ends a sign-in.
pub(super) fn outcome(outcome: &Result<Callback, LoopbackError>) -> Reply {
    match outcome {
        Ok(Callback::Code(_)) => done(
            "You're signed in",
            "You can close this tab and return to D365 Connect.",
        ),
        Ok(Callback::AdminConsent { .. }) => done(
            "Permissions granted",
            "Admin consent was granted for your organization. You can close this tab and \
             return to D365 Connect.",
        ),
        Err(e) => failed(&e.explain()),
    }
}

/// A request that is not the redirect D365 Connect is waiting for.
pub(super) fn rejected() -> Reply {
    Reply {
        status: 400,
        html: document(
            Tone::Problem,
            "This is not the sign-in D365 Connect is waiting for",
            &paragraph(
                "Nothing was changed. If you started a new sign-in, finish it in the newest \
                 browser tab; D365 Connect keeps waiting for it.",
            ),
        ),
    }
}

pub(super) fn not_found() -> Reply {
    Reply {
        status: 404,
        html: document(
            Tone::Problem,
            "Not found",
            &paragraph("D365 Connect only receives the end of a sign-in here."),
        ),
    }
}

pub(super) fn method_not_allowed() -> Reply {
    Reply {
        status: 405,
        html: document(
            Tone::Problem,
            "Not accepted",
            &paragraph("D365 Connect only receives the end of a sign-in here, as a link."),
        ),
    }
}

fn done(heading: &str, text: &str) -> Reply {
    Reply {
        status: 200,
        html: document(Tone::Done, heading, &paragraph(text)),
    }
}

fn failed(problem: &UserError) -> Reply {
    let mut body = paragraph(&problem.message);
    body.push_str(&format!(
        "<p><strong>What to do:</strong> {}</p>",
        escape(&problem.fix)
    ));
    body.push_str("<p>You can close this tab; D365 Connect shows the same.</p>");
    if let Some(details) = &problem.details {
        body.push_str(&format!(
            "<details><summary>Details</summary><pre>{}</pre></details>",
            escape(details)
        ));
    }
    Reply {
        status: 200,
        html: document(Tone::Problem, "The sign-in did not complete", &body),
    }
}

fn paragraph(text: &str) -> String {
    format!("<p>{}</p>", escape(text))
}

enum Tone {
    Done,
    Problem,
}

const STYLE: &str = ":root{color-scheme:light dark;--bg:#f3f3f3;--card:#fff;--text:#1b1b1b;\
--muted:#5c5c5c;--done:#0e7a0d;--problem:#b3261e}\
@media (prefers-color-scheme:dark){:root{--bg:#1c1c1c;--card:#2a2a2a;--text:#f0f0f0;\
--muted:#b8b8b8;--done:#6ccb5f;--problem:#ff9b94}}\
body{margin:0;background:var(--bg);color:var(--text);\
font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
main{max-width:34rem;margin:12vh auto;padding:2rem;background:var(--card);border-radius:8px}\
h1{font-size:1.4rem;margin:0 0 .75rem}.done h1{color:var(--done)}.problem h1{color:var(--problem)}\
details{margin-top:1rem;color:var(--muted)}pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem}";

fn document(tone: Tone, heading: &str, body: &str) -> String {
    let class = match tone {
        Tone::Done => "done",
        Tone::Problem => "problem",
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{heading} - D365 Connect</title><style>{STYLE}</style></head>\
         <body><main class=\"{class}\"><h1>{heading}</h1>{body}</main></body></html>",
        heading = escape(heading),
    )
}
