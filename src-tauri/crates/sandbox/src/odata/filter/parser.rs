//! The `$filter` parser, a port of ODL's
//! `Parsers/UriQueryExpressionParser.cs`: the syntax tree of an expression,
//! literals read to values, before names and types are checked.

use super::binder::Ty;
use super::eval::Val;
use super::lexer::{Kind, Lexer};
use super::literal::{parse_date, parse_date_time, parse_guid, parse_time, DECIMAL_MAX};
use crate::odata::query_error::QueryError;

/// ODL's default `ODataUriParserSettings.FilterLimit` (and `OrderByLimit`):
/// how deep the parser may recurse.
const MAX_DEPTH: usize = 800;

/// The syntax tree, before names and types are checked.
#[derive(Debug)]
pub(in crate::odata) enum Syntax {
    Literal(Val, Ty),
    Property {
        parent: Option<Box<Syntax>>,
        name: String,
    },
    /// `Namespace.Type'member'` (an enum value) or a type cast.
    Dotted(String),
    Call {
        name: String,
        args: Vec<Syntax>,
        named: bool,
    },
    /// `parent/any(…)` or `parent/all(…)`: only the parent matters here.
    Lambda(Box<Syntax>),
    Star,
    Not(Box<Syntax>),
    Negate(Box<Syntax>),
    And(Vec<Syntax>),
    Or(Vec<Syntax>),
    Compare(CmpOp, Box<Syntax>, Box<Syntax>),
}

/// The comparison operators, named as ODL's `BinaryOperatorKind` names
/// them in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::odata) enum CmpOp {
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
}

impl CmpOp {
    fn keyword(lexer: &Lexer) -> Option<CmpOp> {
        [
            ("eq", CmpOp::Equal),
            ("ne", CmpOp::NotEqual),
            ("gt", CmpOp::GreaterThan),
            ("ge", CmpOp::GreaterThanOrEqual),
            ("lt", CmpOp::LessThan),
            ("le", CmpOp::LessThanOrEqual),
        ]
        .into_iter()
        .find_map(|(word, op)| lexer.is_identifier(word).then_some(op))
    }

    pub(super) fn is_equality(self) -> bool {
        matches!(self, CmpOp::Equal | CmpOp::NotEqual)
    }
}

/// ODL's `UriQueryExpressionParser`, for the operators the sandbox
/// evaluates: `or` < `and` < comparisons < `not`/`-` < primaries.
pub(in crate::odata) struct Parser {
    lexer: Lexer,
    depth: usize,
}

impl Parser {
    pub(in crate::odata) fn new(text: &str) -> Result<Parser, QueryError> {
        Ok(Parser {
            lexer: Lexer::new(text, true)?,
            depth: 0,
        })
    }

    pub(in crate::odata) fn lexer(&mut self) -> &mut Lexer {
        &mut self.lexer
    }

    pub(super) fn expression(&mut self) -> Result<Syntax, QueryError> {
        self.enter()?;
        let expression = self.logical("or", Syntax::Or, Self::and)?;
        self.leave(1);
        Ok(expression)
    }

    /// An expression and the text it was written as (`$orderby` items).
    pub(in crate::odata) fn expression_with_text(
        &mut self,
    ) -> Result<(String, Syntax), QueryError> {
        let start = self.lexer.token.start;
        let syntax = self.expression()?;
        Ok((self.lexer.slice(start, self.lexer.previous_end), syntax))
    }

    /// ODL's `RecurseEnter`. The tree is never deeper than the parse, so
    /// binding, evaluation and dropping cannot overflow the stack either.
    fn enter(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::too_deep());
        }
        Ok(())
    }

    fn leave(&mut self, levels: usize) {
        self.depth -= levels;
    }

    fn and(&mut self) -> Result<Syntax, QueryError> {
        self.logical("and", Syntax::And, Self::comparison)
    }

    /// `a or b or c` is one n-ary node: long chains stay shallow.
    fn logical(
        &mut self,
        keyword: &str,
        node: fn(Vec<Syntax>) -> Syntax,
        operand: fn(&mut Self) -> Result<Syntax, QueryError>,
    ) -> Result<Syntax, QueryError> {
        self.enter()?;
        let first = operand(self)?;
        let mut operands = Vec::new();
        while self.lexer.is_identifier(keyword) {
            self.lexer.next_token()?;
            operands.push(operand(self)?);
        }
        self.leave(1);
        if operands.is_empty() {
            return Ok(first);
        }
        operands.insert(0, first);
        Ok(node(operands))
    }

    fn comparison(&mut self) -> Result<Syntax, QueryError> {
        self.enter()?;
        let mut left = self.unary()?;
        let mut levels = 1;
        while let Some(op) = CmpOp::keyword(&self.lexer) {
            // Each chained comparison nests the tree one level deeper.
            self.enter()?;
            levels += 1;
            self.lexer.next_token()?;
            let right = self.unary()?;
            left = Syntax::Compare(op, Box::new(left), Box::new(right));
        }
        self.leave(levels);
        Ok(left)
    }

    fn unary(&mut self) -> Result<Syntax, QueryError> {
        self.enter()?;
        let operator = self.lexer.token;
        let not = self.lexer.is_identifier("not");
        if operator.kind != Kind::Minus && !not {
            self.leave(1);
            return self.primary();
        }
        self.lexer.next_token()?;
        if !not && self.lexer.kind().is_numeric() {
            self.lexer.merge_minus(operator);
            self.leave(1);
            return self.primary();
        }
        let operand = Box::new(self.unary()?);
        self.leave(1);
        Ok(if not {
            Syntax::Not(operand)
        } else {
            Syntax::Negate(operand)
        })
    }

    fn primary(&mut self) -> Result<Syntax, QueryError> {
        self.enter()?;
        let mut expression = if self.lexer.peek()?.kind == Kind::Slash {
            self.segment(None)?
        } else {
            self.primary_start()?
        };
        let mut levels = 1;
        while self.lexer.kind() == Kind::Slash {
            self.enter()?;
            levels += 1;
            self.lexer.next_token()?;
            expression = self.member(expression)?;
        }
        self.leave(levels);
        Ok(expression)
    }

    fn primary_start(&mut self) -> Result<Syntax, QueryError> {
        match self.lexer.kind() {
            Kind::Identifier => self.identifier(),
            Kind::OpenParen => self.parenthesized(),
            Kind::Star => {
                self.lexer.next_token()?;
                Ok(Syntax::Star)
            }
            _ => self.literal()?.ok_or_else(|| {
                QueryError::expression_expected(
                    self.lexer.position_of(self.lexer.token),
                    &self.lexer.text,
                )
            }),
        }
    }

    fn identifier(&mut self) -> Result<Syntax, QueryError> {
        if self.lexer.function_name()? {
            return self.call();
        }
        if self.lexer.peek()?.kind == Kind::Dot {
            return Ok(Syntax::Dotted(self.lexer.dotted_identifier()?));
        }
        self.segment(None)
    }

    /// ODL's `ParseSegment`: an identifier under `parent`.
    fn segment(&mut self, parent: Option<Syntax>) -> Result<Syntax, QueryError> {
        let name = self.identifier_text()?;
        self.lexer.next_token()?;
        Ok(Syntax::Property {
            parent: parent.map(Box::new),
            name,
        })
    }

    /// ODL's `GetIdentifier`.
    fn identifier_text(&self) -> Result<String, QueryError> {
        let token = self.lexer.token;
        if token.kind != Kind::Identifier {
            return Err(QueryError::identifier_expected(
                self.lexer.position_of(token),
            ));
        }
        Ok(self.lexer.text_of(token))
    }

    /// After `parent/`.
    fn member(&mut self, parent: Syntax) -> Result<Syntax, QueryError> {
        if self.lexer.is_identifier("any") || self.lexer.is_identifier("all") {
            return self.lambda(parent);
        }
        if self.lexer.peek()?.kind != Kind::Slash {
            self.lexer.expect(Kind::Identifier)?;
        }
        self.segment(Some(parent))
    }

    /// `any(x: …)` / `all(x: …)` / `any()`, parsed for its syntax only.
    fn lambda(&mut self, parent: Syntax) -> Result<Syntax, QueryError> {
        self.lexer.next_token()?;
        if self.lexer.kind() != Kind::OpenParen {
            return Err(QueryError::open_paren_expected(
                self.lexer.position_of(self.lexer.token),
                &self.lexer.text,
            ));
        }
        self.lexer.next_token()?;
        if self.lexer.kind() != Kind::CloseParen {
            self.identifier_text()?;
            self.lexer.next_token()?;
            self.lexer.expect(Kind::Colon)?;
            self.lexer.next_token()?;
            self.expression()?;
            self.close_paren_or_comma()?;
        }
        self.lexer.next_token()?;
        Ok(Syntax::Lambda(Box::new(parent)))
    }

    fn call(&mut self) -> Result<Syntax, QueryError> {
        let name = self.lexer.text_of(self.lexer.token);
        self.lexer.next_token()?;
        self.lexer.next_token()?;
        let (args, named) = if self.lexer.kind() == Kind::CloseParen {
            (Vec::new(), false)
        } else {
            self.arguments()?
        };
        self.close_paren_or_comma()?;
        self.lexer.next_token()?;
        Ok(Syntax::Call { name, args, named })
    }

    /// Positional (`a, b`) or named (`PropertyName='x', …`, as Dataverse's
    /// query functions take them) arguments.
    fn arguments(&mut self) -> Result<(Vec<Syntax>, bool), QueryError> {
        let named = self.lexer.kind() == Kind::Identifier && self.lexer.peek()?.kind == Kind::Equal;
        let mut args = Vec::new();
        loop {
            if named {
                self.lexer.next_token()?;
                self.lexer.expect(Kind::Equal)?;
                self.lexer.next_token()?;
            }
            args.push(self.expression()?);
            if self.lexer.kind() != Kind::Comma {
                return Ok((args, named));
            }
            self.lexer.next_token()?;
        }
    }

    fn close_paren_or_comma(&self) -> Result<(), QueryError> {
        if self.lexer.kind() == Kind::CloseParen {
            return Ok(());
        }
        Err(QueryError::close_paren_or_comma(
            self.lexer.position_of(self.lexer.token),
            &self.lexer.text,
        ))
    }

    fn parenthesized(&mut self) -> Result<Syntax, QueryError> {
        self.lexer.next_token()?;
        let inner = self.expression()?;
        if self.lexer.kind() != Kind::CloseParen {
            return Err(QueryError::close_paren_or_operator(
                self.lexer.position_of(self.lexer.token),
                &self.lexer.text,
            ));
        }
        self.lexer.next_token()?;
        Ok(inner)
    }

    /// ODL's `TryParseLiteral` and `ParseTypedLiteral`.
    fn literal(&mut self) -> Result<Option<Syntax>, QueryError> {
        let token = self.lexer.token;
        let text = self.lexer.text_of(token);
        let typed = match token.kind {
            Kind::Bracketed => Ok((Val::Str(text.clone()), Ty::String)),
            Kind::QuotedLiteral => Err(quoted_literal_type(&text).to_string()),
            kind => {
                let Some(ty) = literal_type(kind) else {
                    return Ok(None);
                };
                literal_value(kind, &text)
                    .map(|value| (value, ty.clone()))
                    .ok_or_else(|| ty.name())
            }
        };
        let (value, ty) = typed.map_err(|ty| {
            QueryError::unrecognized_literal(
                &ty,
                &text,
                self.lexer.position_of(token),
                &self.lexer.text,
            )
        })?;
        self.lexer.next_token()?;
        Ok(Some(Syntax::Literal(value, ty)))
    }
}

fn literal_type(kind: Kind) -> Option<Ty> {
    Some(match kind {
        Kind::Null => Ty::Null,
        Kind::Boolean => Ty::Boolean,
        Kind::String => Ty::String,
        Kind::Int32 => Ty::Int32,
        Kind::Int64 => Ty::Int64,
        Kind::Decimal => Ty::Decimal,
        Kind::Double => Ty::Double,
        Kind::Single => Ty::Single,
        Kind::Guid => Ty::Guid,
        Kind::Date => Ty::Date,
        Kind::DateTimeOffset => Ty::DateTimeOffset,
        Kind::TimeOfDay => Ty::TimeOfDay,
        _ => return None,
    })
}

fn literal_value(kind: Kind, text: &str) -> Option<Val> {
    let number = |suffix: [char; 2]| text.trim_end_matches(suffix).parse::<f64>().ok();
    match kind {
        Kind::Null => Some(Val::Null),
        Kind::Boolean => Some(Val::Bool(text == "true")),
        Kind::String => Some(Val::Str(unquote(text))),
        Kind::Int32 | Kind::Int64 => text.trim_end_matches(['L', 'l']).parse().ok().map(Val::Int),
        Kind::Decimal => number(['M', 'm'])
            .filter(|v| v.abs() < DECIMAL_MAX)
            .map(Val::Float),
        Kind::Double => number(['D', 'd']).map(Val::Float),
        Kind::Single => number(['F', 'f']).map(Val::Float),
        Kind::Guid => parse_guid(text).map(Val::Guid),
        Kind::Date => parse_date(text).map(Val::Date),
        Kind::DateTimeOffset => parse_date_time(text)
            .ok()
            .flatten()
            .map(Val::DateTimeOffset),
        Kind::TimeOfDay => parse_time(text).map(Val::Time),
        _ => None,
    }
}

/// `'O''Brien'` → `O'Brien`.
pub(super) fn unquote(text: &str) -> String {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text)
        .replace("''", "'")
}

/// The EDM type ODL gives a `prefix'…'` literal; the sandbox parses none
/// of them (ODL reads a plain prefix as a malformed string).
fn quoted_literal_type(text: &str) -> &'static str {
    let prefix = text
        .split('\'')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match prefix.as_str() {
        "duration" => "Edm.Duration",
        "binary" => "Edm.Binary",
        "geography" => "Edm.Geography",
        "geometry" => "Edm.Geometry",
        _ => "Edm.String",
    }
}
