//! The system query options of a collection request, from the raw query
//! string, checked against the entity type. Business Central, Finance &
//! Operations and Dataverse all run ASP.NET Web API OData over
//! Microsoft.OData.Core (ODL), so the options behave, and fail, as there;
//! the error texts are theirs (see [`QueryError`]). Routes wrap them in
//! each product's error body (fixture
//! bc/amplabs_read_balance-sheets_error-since.json).

use percent_encoding::percent_decode_str;

use super::filter::{self, Expr, Lexer};
use super::{EntityType, Row};

pub use super::order::{sort, OrderBy};

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

/// A row narrowed to `$select`: the selected properties in `$metadata`
/// order, the row's own annotations (`@odata.etag`) and the selected
/// properties' annotations (`name@OData.Community.Display.V1.FormattedValue`),
/// as the services write them. Keys are not added: BC and F&O don't, and
/// the Dataverse route selects its primary key itself.
pub fn project(row: &Row, select: Option<&[String]>) -> Row {
    let Some(select) = select else {
        return row.clone();
    };
    row.iter()
        .filter(|(key, _)| {
            let property = key.split_once('@').map_or(key.as_str(), |(p, _)| p);
            property.is_empty() || select.iter().any(|s| s == property)
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// A rejected query: `message` is the service's text; `position` is the
/// offset in the expression (UTF-16 code units, as the message counts)
/// when the message names one.
///
/// Texts come from Microsoft.OData.Core's resources (OData/odata.net,
/// src/Microsoft.OData.Core/SRResources.resx; resource names in the
/// comments) unless marked Web API OData (OData/WebApi,
/// src/Microsoft.AspNet.OData.Shared/Common/SRResources.resx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    pub position: Option<usize>,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

impl QueryError {
    fn new(message: String) -> QueryError {
        QueryError {
            message,
            position: None,
        }
    }

    fn at(position: usize, message: String) -> QueryError {
        QueryError {
            message,
            position: Some(position),
        }
    }

    /// Web API OData `QueryParameterNotSupported`, thrown by
    /// `EnableQueryAttribute.ValidateQuery` (src/Microsoft.AspNet.OData/)
    /// for an unknown `$` option. The sandbox also uses it for the options
    /// it does not implement (`$apply`, `$search`, `$compute`, `$format`,
    /// `$deltatoken`) rather than ignore them silently.
    pub(super) fn not_supported(name: &str) -> QueryError {
        QueryError::new(format!("The query parameter '{name}' is not supported."))
    }

    /// Web API OData `QueryCannotBeEmpty`.
    pub(super) fn blank(name: &str) -> QueryError {
        QueryError::new(format!(
            "The value for OData query '{name}' cannot be empty."
        ))
    }

    /// Web API OData `OrderByDuplicateProperty`.
    pub(super) fn duplicate_orderby(name: &str) -> QueryError {
        QueryError::new(format!(
            "Duplicate property named '{name}' is not supported in '$orderby'."
        ))
    }

    /// `QueryOptionUtils_QueryParameterMustBeSpecifiedOnce`.
    pub(super) fn specified_more_than_once(name: &str) -> QueryError {
        QueryError::new(format!(
            "Query option '{name}' was specified more than once, but it must be specified at most once."
        ))
    }

    /// `SyntacticTree_InvalidTopQueryOptionValue` and
    /// `SyntacticTree_InvalidSkipQueryOptionValue` (same text).
    pub(super) fn invalid_top_or_skip(name: &str, value: &str) -> QueryError {
        QueryError::new(format!(
            "Invalid value '{value}' for {name} query option found. The {name} query option requires a non-negative integer value."
        ))
    }

    /// `ODataUriParser_InvalidCount`, the one `ParseCount` throws.
    pub(super) fn invalid_count(value: &str) -> QueryError {
        QueryError::new(format!("'{value}' is not a valid count option."))
    }

    /// `ExpressionLexer_SyntaxError`.
    pub(super) fn syntax_error(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("Syntax error at position {position} in '{text}'."),
        )
    }

    /// `ExpressionLexer_InvalidCharacter`.
    pub(super) fn invalid_character(c: char, position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!(
                "Syntax error: character '{c}' is not valid at position {position} in '{text}'."
            ),
        )
    }

    /// `ExpressionLexer_UnterminatedStringLiteral`.
    pub(super) fn unterminated_string(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("There is an unterminated string literal at position {position} in '{text}'."),
        )
    }

    /// `ExpressionLexer_UnterminatedLiteral`.
    pub(super) fn unterminated_literal(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("There is an unterminated literal at position {position} in '{text}'."),
        )
    }

    /// `ExpressionLexer_DigitExpected`.
    pub(super) fn digit_expected(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("A digit was expected at position {position} in '{text}'."),
        )
    }

    /// `ExpressionLexer_UnbalancedBracketExpression`.
    pub(super) fn unbalanced_bracket() -> QueryError {
        QueryError::new("Found an unbalanced bracket expression.".into())
    }

    /// `UriQueryExpressionParser_UnrecognizedLiteral`; ODL formats the
    /// position in quotes.
    pub(super) fn unrecognized_literal(
        ty: &str,
        literal: &str,
        position: usize,
        text: &str,
    ) -> QueryError {
        QueryError::at(
            position,
            format!("Unrecognized '{ty}' literal '{literal}' at '{position}' in '{text}'."),
        )
    }

    /// `UriUtils_DateTimeOffsetInvalidFormat`.
    pub(super) fn date_time_offset_format(literal: &str) -> QueryError {
        QueryError::new(format!(
            "The DateTimeOffset text '{literal}' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range."
        ))
    }

    /// `UriQueryExpressionParser_ExpressionExpected`.
    pub(super) fn expression_expected(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("Expression expected at position {position} in '{text}'."),
        )
    }

    /// `UriQueryExpressionParser_CloseParenOrOperatorExpected`.
    pub(super) fn close_paren_or_operator(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("')' or operator expected at position {position} in '{text}'."),
        )
    }

    /// `UriQueryExpressionParser_CloseParenOrCommaExpected`.
    pub(super) fn close_paren_or_comma(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("')' or ',' expected at position {position} in '{text}'."),
        )
    }

    /// `UriQueryExpressionParser_OpenParenExpected`.
    pub(super) fn open_paren_expected(position: usize, text: &str) -> QueryError {
        QueryError::at(
            position,
            format!("'(' expected at position {position} in '{text}'."),
        )
    }

    /// `ExpressionToken_IdentifierExpected`.
    pub(super) fn identifier_expected(position: usize) -> QueryError {
        QueryError::at(
            position,
            format!("An identifier was expected at position {position}."),
        )
    }

    /// `UriQueryExpressionParser_TooDeep`.
    pub(super) fn too_deep() -> QueryError {
        QueryError::new("Recursion depth exceeded allowed limit.".into())
    }

    /// `MetadataBinder_PropertyNotDeclared` (type first, then property).
    pub(super) fn property_not_declared(ty: &str, property: &str) -> QueryError {
        QueryError::new(format!(
            "Could not find a property named '{property}' on type '{ty}'."
        ))
    }

    /// `MetadataBinder_IncompatibleOperandsError`.
    pub(super) fn incompatible_operands(left: &str, right: &str, kind: &str) -> QueryError {
        QueryError::new(format!(
            "A binary operator with incompatible types was detected. Found operand types '{left}' and '{right}' for operator kind '{kind}'."
        ))
    }

    /// `MetadataBinder_IncompatibleOperandError`.
    pub(super) fn incompatible_operand(ty: &str, kind: &str) -> QueryError {
        QueryError::new(format!(
            "A unary operator with an incompatible type was detected. Found operand type '{ty}' for operator kind '{kind}'."
        ))
    }

    /// `MetadataBinder_FilterExpressionNotSingleValue`.
    pub(super) fn filter_not_boolean() -> QueryError {
        QueryError::new("The $filter expression must evaluate to a single boolean value.".into())
    }

    /// `MetadataBinder_UnknownFunction`. The sandbox also says this for
    /// the built-in functions it does not evaluate (`length`, `year`, …)
    /// and for Dataverse's `Microsoft.Dynamics.CRM.*` query functions.
    pub(super) fn unknown_function(name: &str) -> QueryError {
        QueryError::new(format!(
            "An unknown function with name '{name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."
        ))
    }

    /// `MetadataBinder_NoApplicableFunctionFound`.
    pub(super) fn no_applicable_function(name: &str, signatures: &str) -> QueryError {
        QueryError::new(format!(
            "No function signature for the function with name '{name}' matches the specified arguments. The function signatures considered are: {signatures}."
        ))
    }

    /// `FunctionCallBinder_CannotFindASuitableOverload`.
    pub(super) fn no_suitable_overload(name: &str, arguments: usize) -> QueryError {
        QueryError::new(format!(
            "Cannot find a suitable overload for function '{name}' that takes '{arguments}' arguments."
        ))
    }

    /// `Binder_IsNotValidEnumConstant`.
    pub(super) fn not_valid_enum_constant(text: &str) -> QueryError {
        QueryError::new(format!(
            "The string '{text}' is not a valid enumeration type constant."
        ))
    }

    /// `CastBinder_ChildTypeIsNotEntity`.
    pub(super) fn cast_not_entity(name: &str) -> QueryError {
        QueryError::new(format!(
            "The child type '{name}' in a cast was not an entity type. Casts can only be performed on entity types."
        ))
    }

    /// `MetadataBinder_LambdaParentMustBeCollection`.
    pub(super) fn lambda_parent_not_collection() -> QueryError {
        QueryError::new("Any/All may only be used following a collection.".into())
    }

    /// `MetadataBinder_UnsupportedQueryTokenKind`.
    pub(super) fn unsupported_token_kind(kind: &str) -> QueryError {
        QueryError::new(format!(
            "An unsupported query token kind '{kind}' was found."
        ))
    }

    /// `UriSelectParser_TermIsNotValid`.
    pub(super) fn term_not_valid(text: &str) -> QueryError {
        QueryError::new(format!(
            "Term '{text}' is not valid in a $select or $expand expression."
        ))
    }

    /// `UriSelectParser_SystemTokenInSelectExpand`.
    pub(super) fn system_token_in_select(token: &str, text: &str) -> QueryError {
        QueryError::new(format!(
            "Found system token '{token}' in select or expand clause '{text}'."
        ))
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
    fn projection_keeps_annotations_and_metadata_order() {
        let mut full = adatum();
        full.insert(
            "city@OData.Community.Display.V1.FormattedValue".into(),
            json!("Atlanta, GA"),
        );
        let select = vec!["city".to_string(), "number".to_string()];
        let projected = project(&full, Some(&select));
        let keys: Vec<&str> = projected.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "@odata.etag",
                "number",
                "city",
                "city@OData.Community.Display.V1.FormattedValue"
            ]
        );
        assert_eq!(project(&full, None), full);
        assert_eq!(
            project(&full, Some(&[])).keys().collect::<Vec<_>>(),
            ["@odata.etag"]
        );
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
