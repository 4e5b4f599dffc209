//! Why a query is rejected, in the services' own words: the error texts
//! of Microsoft.OData.Core and Web API OData, one constructor each, shared
//! by the query options, `$filter` and `$orderby`.

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
