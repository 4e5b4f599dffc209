//! Reading a page as a browser would: its form, its alert message and its
//! visible text. Enough HTML for the sandbox's own pages (double-quoted
//! attributes, no nesting of forms), not a general parser.

/// A `<form method="post">` and its named inputs.
#[derive(Clone, PartialEq, Eq)]
pub struct Form {
    pub action: String,
    /// Every named input a browser would submit as the page stands, in
    /// page order, with its value ("" when it has none): checkboxes only
    /// when ticked.
    pub fields: Vec<(String, String)>,
    /// Checkboxes left unticked, which a person may tick.
    pub unticked: Vec<(String, String)>,
}

impl Form {
    /// The page's first POST form.
    pub fn find(html: &str) -> Option<Form> {
        let start = html.find("<form ")?;
        let rest = &html[start..];
        let end = rest.find("</form>").unwrap_or(rest.len());
        let form = &rest[..end];
        let open_tag = tag_at(form, 0)?;
        let form_attributes = attributes(open_tag);
        if !attribute(&form_attributes, "method").is_some_and(|m| m.eq_ignore_ascii_case("post")) {
            return None;
        }
        let mut fields = Vec::new();
        let mut unticked = Vec::new();
        for tag in form
            .match_indices("<input ")
            .filter_map(|(at, _)| tag_at(form, at))
        {
            let attrs = attributes(tag);
            let Some(name) = attribute(&attrs, "name") else {
                continue;
            };
            let value = attribute(&attrs, "value").unwrap_or_default();
            let field = (name.to_string(), value.to_string());
            let checkbox =
                attribute(&attrs, "type").is_some_and(|t| t.eq_ignore_ascii_case("checkbox"));
            let ticked = tag.split_whitespace().any(|word| word == "checked");
            if checkbox && !ticked {
                unticked.push(field);
            } else {
                fields.push(field);
            }
        }
        Some(Form {
            action: attribute(&form_attributes, "action")?.to_string(),
            fields,
            unticked,
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }
}

/// The text of the element marked `role="alert"` (the sign-in page's
/// message after a failed attempt).
pub fn alert(html: &str) -> Option<String> {
    let start = html.find("role=\"alert\">")? + "role=\"alert\">".len();
    let end = html[start..].find('<')?;
    Some(unescape(&html[start..start + end]))
}

/// What a person reads: tags, style and script removed, entities decoded,
/// white space collapsed.
pub fn text(html: &str) -> String {
    let mut visible = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        visible.push_str(&rest[..open]);
        visible.push(' ');
        rest = &rest[open..];
        let skip_to = ["style", "script"]
            .iter()
            .find(|name| rest[1..].starts_with(*name))
            .map(|name| format!("</{name}>"));
        let end = match skip_to {
            Some(closing) => rest.find(&closing).map(|at| at + closing.len()),
            None => rest.find('>').map(|at| at + 1),
        };
        rest = &rest[end.unwrap_or(rest.len())..];
    }
    visible.push_str(rest);
    unescape(&visible)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The tag that starts at `at` (`<` … `>`, without the brackets).
fn tag_at(html: &str, at: usize) -> Option<&str> {
    let rest = &html[at..];
    let end = rest.find('>')?;
    Some(&rest[1..end])
}

/// `name="value"` pairs of a tag, values decoded.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].rsplit(char::is_whitespace).next().unwrap_or("");
        let after = &rest[eq + 2..];
        let Some(end) = after.find('"') else { break };
        found.push((name.to_ascii_lowercase(), unescape(&after[..end])));
        rest = &after[end + 1..];
    }
    found
}

fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Decodes the entities the sandbox's pages use, in one pass so that
/// `&amp;lt;` stays `&lt;`.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest
            .find(';')
            .filter(|&semi| semi <= 8)
            .and_then(|semi| Some((entity(&rest[1..semi])?, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "rsquo" => Some('\u{2019}'),
        "middot" => Some('\u{b7}'),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_sandbox_pages_write() {
        let html = "<html><head><style>p{color:red}</style></head><body>\
            <p class=\"error\" role=\"alert\">Your account &amp; password &lt;b&gt;are&#39;nt&lt;/b&gt;</p>\
            <form method=\"post\" action=\"http://x/a?b=1&amp;c=2\">\
            <input type=\"hidden\" name=\"flow\" value=\"f-1\">\
            <input type=\"email\" id=\"login\" name=\"login\" value=\"a@b.c\" required>\
            <input type=\"password\" id=\"passwd\" name=\"passwd\" required>\
            <label><input type=\"checkbox\" name=\"org\" value=\"true\"> For all</label>\
            <input type=\"checkbox\" name=\"kept\" value=\"1\" checked>\
            <button type=\"submit\" name=\"action\" value=\"accept\">Accept</button></form>\
            <script>document.forms[0].submit()</script></body></html>";
        let form = Form::find(html).unwrap();
        assert_eq!(form.action, "http://x/a?b=1&c=2");
        assert_eq!(
            form.fields,
            [
                ("flow".to_string(), "f-1".to_string()),
                ("login".to_string(), "a@b.c".to_string()),
                ("passwd".to_string(), String::new()),
                ("kept".to_string(), "1".to_string()),
            ]
        );
        assert_eq!(form.unticked, [("org".to_string(), "true".to_string())]);
        assert!(form.has("passwd") && !form.has("action"));
        assert_eq!(
            alert(html).unwrap(),
            "Your account & password <b>are'nt</b>"
        );
        assert_eq!(
            text(html),
            "Your account & password <b>are'nt</b> For all Accept"
        );
    }

    #[test]
    fn entities_decode_once_and_unknown_ones_stay() {
        assert_eq!(
            unescape("&amp;lt; &#x41;&#66; &bogus; a & b"),
            "&lt; AB &bogus; a & b"
        );
        assert!(Form::find("<form method=\"get\" action=\"/\"></form>").is_none());
    }
}
