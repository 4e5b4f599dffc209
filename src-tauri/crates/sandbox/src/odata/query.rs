//! The system query options of a collection request, from the raw query
//! string, checked against the entity type. Business Central, Finance &
//! Operations and Dataverse all run ASP.NET Web API OData over
//! Microsoft.OData.Core (ODL), so the options behave, and fail, as there;
//! the error texts are theirs (see [`QueryError`]). Routes wrap them in
//! each product's error body (fixture
//! bc/amplabs_read_balance-sheets_error-since.json).

use percent_encoding::percent_decode_str;

use super::filter::{self, Expr, Lexer};
use super::EntityType;

pub use super::order::{sort, OrderBy};
pub use super::query_error::QueryError;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryOptions {
    /// Property names as requested (deduplicated); `None` for all
    /// properties (no `$select`, an empty one, or `*`).
    pub select: Option<Vec<String>>,
    pub filter: Option<Expr>,
    pub orderby: Vec<OrderBy>,
    pub top: Option<usize>,
    pub skip: Option<usize>,
    pub count: bool,
    /// Decoded, otherwise as sent: its meaning is the product's.
    pub skiptoken: Option<String>,
    /// Decoded, otherwise as sent: the routes decide what they expand.
    pub expand: Option<String>,
}

/// The options that must not be blank (Web API OData's `ThrowIfEmpty` in
/// `ODataQueryOptions.BuildQueryOptions`).
const NOT_BLANK: [&str; 5] = ["$filter", "$orderby", "$top", "$skip", "$count"];

/// Parses the `$` options of `raw_query` (the URL's query string, still
/// percent-encoded). Other parameters (`company=`, `aid=`,
/// `cross-company=`) are the routes' and are ignored here.
pub fn parse(raw_query: Option<&str>, entity: &EntityType) -> Result<QueryOptions, QueryError> {
    let raw = RawOptions::collect(raw_query.unwrap_or_default())?;
    Ok(QueryOptions {
        filter: raw.filter.map(|f| filter::parse(&f, entity)).transpose()?,
        orderby: raw
            .orderby
            .map(|o| super::order::parse(&o, entity))
            .transpose()?
            .unwrap_or_default(),
        top: raw.top.map(|t| non_negative("$top", &t)).transpose()?,
        skip: raw.skip.map(|s| non_negative("$skip", &s)).transpose()?,
        count: raw.count.map(|c| count(&c)).transpose()?.unwrap_or(false),
        select: raw
            .select
            .map(|s| select(&s, entity))
            .transpose()?
            .flatten(),
        skiptoken: raw.skiptoken,
        expand: raw.expand,
    })
}

/// The raw values of the options the sandbox knows.
#[derive(Default)]
struct RawOptions {
    filter: Option<String>,
    orderby: Option<String>,
    top: Option<String>,
    skip: Option<String>,
    count: Option<String>,
    select: Option<String>,
    skiptoken: Option<String>,
    expand: Option<String>,
}

impl RawOptions {
    /// Blank values fail as the options are read, unknown `$` options
    /// after all are read, in Web API OData's order (`ODataQueryOptions`,
    /// then `EnableQueryAttribute.ValidateQuery`). Option names are
    /// case-sensitive, as with ODL's default resolver.
    fn collect(raw: &str) -> Result<RawOptions, QueryError> {
        let mut options = RawOptions::default();
        let mut unsupported = None;
        for (name, value) in pairs(raw).filter(|(name, _)| name.starts_with('$')) {
            match options.slot(&name) {
                // Web API OData would keep the first; ODL's own URI parser
                // rejects the repeat, and so does the sandbox.
                Some(Some(_)) => return Err(QueryError::specified_more_than_once(&name)),
                Some(slot) => {
                    if NOT_BLANK.contains(&name.as_str()) && value.trim().is_empty() {
                        return Err(QueryError::blank(&name));
                    }
                    *slot = Some(value);
                }
                None => {
                    unsupported.get_or_insert(name);
                }
            }
        }
        match unsupported {
            Some(name) => Err(QueryError::not_supported(&name)),
            None => Ok(options),
        }
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "$filter" => &mut self.filter,
            "$orderby" => &mut self.orderby,
            "$top" => &mut self.top,
            "$skip" => &mut self.skip,
            "$count" => &mut self.count,
            "$select" => &mut self.select,
            "$skiptoken" => &mut self.skiptoken,
            "$expand" => &mut self.expand,
            _ => return None,
        })
    }
}

/// The `name=value` pairs as ASP.NET hands them to OData: `+` is a space
/// (a literal plus must be `%2B`), escapes decode as UTF-8 (invalid ones
/// stay as they are), names are trimmed and values are not. ODL's own
/// `QueryOptionUtils.ParseQueryOptions` replaces `+` the same way. A part
/// without `=` has no name there, so it is skipped.
fn pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    raw.split('&').filter_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        Some((decode(name).trim().to_string(), decode(value)))
    })
}

fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// ODL's `ParseTop`/`ParseSkip`: .NET's `long.TryParse`, which allows
/// surrounding blanks and a sign.
fn non_negative(name: &str, value: &str) -> Result<usize, QueryError> {
    value
        .trim_matches(|c| matches!(c, '\t'..='\r' | ' '))
        .parse::<i64>()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| QueryError::invalid_top_or_skip(name, value))
}

/// ODL's `ParseCount`: exactly `true` or `false`, trimmed.
fn count(value: &str) -> Result<bool, QueryError> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(QueryError::invalid_count(value)),
    }
}

/// `$select` as ODL's `SelectExpandParser` reads it: comma-separated
/// terms, a trailing comma allowed, each a property, a `/` path or `*`.
fn select(text: &str, entity: &EntityType) -> Result<Option<Vec<String>>, QueryError> {
    let mut lexer = Lexer::new(text, false)?;
    let mut terms = Vec::new();
    while lexer.kind() != filter::Kind::End {
        terms.push(select_term(&mut lexer, text)?);
        if lexer.kind() != filter::Kind::Comma {
            break;
        }
        lexer.next_token()?;
    }
    if lexer.kind() != filter::Kind::End {
        return Err(QueryError::term_not_valid(text));
    }
    if terms.is_empty() {
        return Ok(None);
    }
    let mut names: Vec<String> = Vec::new();
    let mut all = false;
    for (first, rest) in terms {
        if first == "*" && rest.is_empty() {
            all = true;
            continue;
        }
        let name = select_path(&first, &rest, entity)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok((!all).then_some(names))
}

/// ODL's `SelectExpandTermParser.ParseTerm`: segments separated by `/`.
fn select_term(lexer: &mut Lexer, text: &str) -> Result<(String, Vec<String>), QueryError> {
    let first = select_segment(lexer, text)?;
    let mut rest = Vec::new();
    while lexer.kind() == filter::Kind::Slash {
        lexer.next_token()?;
        rest.push(select_segment(lexer, text)?);
    }
    Ok((first, rest))
}

fn select_segment(lexer: &mut Lexer, text: &str) -> Result<String, QueryError> {
    let token = lexer.token();
    let word = lexer.text_of(token);
    if word.starts_with('$') {
        return Err(QueryError::system_token_in_select(&word, text));
    }
    if lexer.peek()?.kind == filter::Kind::Dot && token.kind == filter::Kind::Identifier {
        return lexer.dotted_identifier();
    }
    if !matches!(token.kind, filter::Kind::Identifier | filter::Kind::Star) {
        return Err(QueryError::identifier_expected(lexer.position_of(token)));
    }
    lexer.next_token()?;
    Ok(word)
}

/// A selected property; the model has no complex or navigation
/// properties, so a longer path names a property of a primitive.
fn select_path(first: &str, rest: &[String], entity: &EntityType) -> Result<String, QueryError> {
    let property = entity
        .property(first)
        .ok_or_else(|| QueryError::property_not_declared(&entity.qualified_name(), first))?;
    match rest.first() {
        Some(next) => Err(QueryError::property_not_declared(
            &filter::type_name(&property.ty, &entity.namespace),
            next,
        )),
        None => Ok(first.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::odata::filter::tests::{adatum, customer, row, trey};

    fn options(raw: &str) -> QueryOptions {
        parse(Some(raw), &customer()).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn error(raw: &str) -> String {
        match parse(Some(raw), &customer()) {
            Ok(options) => panic!("{raw} parsed: {options:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn no_query_means_no_options() {
        assert_eq!(parse(None, &customer()).unwrap(), QueryOptions::default());
        assert_eq!(options(""), QueryOptions::default());
    }

    #[test]
    fn the_routes_parameters_are_ignored() {
        let o = options("company=CRONUS%20USA&aid=FIN&cross-company=true&$top=5&flag&=x");
        assert_eq!(o.top, Some(5));
        assert_eq!(
            o,
            QueryOptions {
                top: Some(5),
                ..QueryOptions::default()
            }
        );
    }

    #[test]
    fn every_option_is_read() {
        let o = options(
            "$select=number,displayName&$filter=city%20eq%20'Atlanta'&$orderby=displayName%20desc\
             &$top=10&$skip=20&$count=true&$skiptoken=55e545bc&$expand=paymentTerm",
        );
        assert_eq!(
            o.select,
            Some(vec!["number".to_string(), "displayName".to_string()])
        );
        let filter = o.filter.unwrap();
        assert!(filter.matches(&adatum()) && !filter.matches(&trey()));
        assert_eq!(o.orderby.len(), 1);
        assert_eq!(o.orderby[0].property, "displayName");
        assert!(o.orderby[0].descending);
        assert_eq!((o.top, o.skip, o.count), (Some(10), Some(20), true));
        assert_eq!(o.skiptoken.as_deref(), Some("55e545bc"));
        assert_eq!(o.expand.as_deref(), Some("paymentTerm"));
    }

    #[test]
    fn decoding_follows_asp_net_plus_is_a_space() {
        assert_eq!(options("%24top=3").top, Some(3));
        let spaced = options("$filter=city+eq+'Atlanta'").filter.unwrap();
        assert!(spaced.matches(&adatum()));
        let plus = options("$filter=number%20eq%20'a%2Bb'").filter.unwrap();
        assert!(plus.matches(&row(json!({"number": "a+b"}))));
        let space = options("$filter=number%20eq%20'a+b'").filter.unwrap();
        assert!(space.matches(&row(json!({"number": "a b"}))));
        assert_eq!(
            options("$skiptoken=%3Ccookie%20page%3D%222%22%3E")
                .skiptoken
                .as_deref(),
            Some("<cookie page=\"2\">")
        );
        // Invalid escapes stay as they are.
        assert_eq!(
            options("$skiptoken=100%zz").skiptoken.as_deref(),
            Some("100%zz")
        );
        // An unencoded `+` in an offset becomes a space, which ends the literal.
        assert_eq!(
            error("$filter=lastModifiedDateTime%20gt%202025-03-05T19:19:22+01:00"),
            "The DateTimeOffset text '2025-03-05T19:19:22' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range."
        );
        assert!(
            options("$filter=lastModifiedDateTime%20gt%202025-03-05T19:19:22%2B01:00")
                .filter
                .is_some()
        );
    }

    #[test]
    fn unknown_repeated_and_blank_options_are_rejected() {
        assert_eq!(
            error("$foo=1"),
            "The query parameter '$foo' is not supported."
        );
        assert_eq!(
            error("$format=json"),
            "The query parameter '$format' is not supported."
        );
        assert_eq!(
            error("$Top=1"),
            "The query parameter '$Top' is not supported."
        );
        assert_eq!(
            error("$top=1&%24top=2"),
            "Query option '$top' was specified more than once, but it must be specified at most once."
        );
        for name in ["$filter", "$orderby", "$top", "$skip", "$count"] {
            assert_eq!(
                error(&format!("{name}=%20")),
                format!("The value for OData query '{name}' cannot be empty.")
            );
        }
        // Blank values fail while reading; unknown options after.
        assert_eq!(
            error("$apply=x&$filter="),
            "The value for OData query '$filter' cannot be empty."
        );
        assert_eq!(options("$select=&$expand=").select, None);
    }

    #[test]
    fn top_and_skip_take_non_negative_integers() {
        for (raw, value) in [
            ("$top=-1", "-1"),
            ("$top=abc", "abc"),
            ("$top=1.5", "1.5"),
            ("$top=99999999999999999999", "99999999999999999999"),
        ] {
            assert_eq!(
                error(raw),
                format!("Invalid value '{value}' for $top query option found. The $top query option requires a non-negative integer value.")
            );
        }
        assert_eq!(
            error("$skip=-5"),
            "Invalid value '-5' for $skip query option found. The $skip query option requires a non-negative integer value."
        );
        assert_eq!(options("$top=0").top, Some(0));
        // .NET's long.TryParse: blanks around and a sign are fine.
        assert_eq!(options("$top=%205%20").top, Some(5));
        assert_eq!(options("$top=%2B5").top, Some(5));
        assert_eq!(options("$skip=-0").skip, Some(0));
    }

    #[test]
    fn count_is_true_or_false() {
        assert!(options("$count=true").count);
        assert!(!options("$count=false").count);
        assert!(options("$count=%20true").count);
        assert_eq!(error("$count=TRUE"), "'TRUE' is not a valid count option.");
        assert_eq!(error("$count=1"), "'1' is not a valid count option.");
    }

    #[test]
    fn select_reads_like_odl() {
        let select = |raw: &str| options(&format!("$select={raw}")).select;
        let names = |list: &[&str]| Some(list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(select("number"), names(&["number"]));
        assert_eq!(
            select("displayName,%20number,"),
            names(&["displayName", "number"])
        );
        assert_eq!(select("number,number"), names(&["number"]));
        assert_eq!(select("*"), None);
        assert_eq!(select("number,*"), None);
        assert_eq!(select("%20"), None);
        for (raw, message) in [
            (
                "nope",
                "Could not find a property named 'nope' on type 'Microsoft.NAV.customer'.",
            ),
            (
                "*,nope",
                "Could not find a property named 'nope' on type 'Microsoft.NAV.customer'.",
            ),
            (
                "number/length",
                "Could not find a property named 'length' on type 'Edm.String'.",
            ),
            (
                "type/x",
                "Could not find a property named 'x' on type 'Microsoft.NAV.contactType'.",
            ),
            (
                "number%20displayName",
                "Term 'number displayName' is not valid in a $select or $expand expression.",
            ),
            (
                "number(x)",
                "Term 'number(x)' is not valid in a $select or $expand expression.",
            ),
            (",number", "An identifier was expected at position 0."),
            ("number,,city", "An identifier was expected at position 7."),
            ("'number'", "An identifier was expected at position 0."),
            (
                "$count",
                "Found system token '$count' in select or expand clause '$count'.",
            ),
            (
                "number;city",
                "Syntax error: character ';' is not valid at position 6 in 'number;city'.",
            ),
        ] {
            assert_eq!(error(&format!("$select={raw}")), message, "{raw}");
        }
    }

    #[test]
    fn errors_display_their_message() {
        let e = parse(Some("$filter=city%20eq"), &customer()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Expression expected at position 7 in 'city eq'."
        );
        assert_eq!(e.position, Some(7));
    }

    proptest! {
        #[test]
        fn any_query_string_parses_or_fails_cleanly(raw in "\\PC{0,80}") {
            let _ = parse(Some(&raw), &customer());
        }

        #[test]
        fn any_option_value_parses_or_fails_cleanly(
            name in prop::sample::select(vec!["$filter", "$orderby", "$select", "$top", "$skip", "$count"]),
            value in "[ -~]{0,40}",
        ) {
            let _ = parse(Some(&format!("{name}={value}")), &customer());
        }
    }
}
