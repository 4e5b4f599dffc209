//! `$filter`: a recursive-descent parser over the OData ABNF subset the
//! Dynamics services support (comparisons, `and`/`or`/`not`, parentheses,
//! `contains`/`startswith`/`endswith`, `tolower`/`toupper`), checked
//! against the entity type at parse time so evaluation cannot fail.
//! Precedence (OData 4.01 ABNF §5.1.1.9): `not` > comparison > `and` > `or`.

use std::cmp::Ordering;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::query::QueryError;
use super::{EdmType, EntityType, Row};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Operand, Op, Operand),
    /// `contains(a,'x')`, `startswith`, `endswith`.
    Text(TextFn, Operand, Operand),
    /// A bare boolean property or literal.
    Truth(Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFn {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Property {
        name: String,
        datetime: bool,
    },
    /// `tolower(x)` / `toupper(x)`: comparisons are case-insensitive
    /// anyway (below), so these only need to parse.
    Cased(Box<Operand>),
    Literal(Value),
}

impl Expr {
    pub fn matches(&self, row: &Row) -> bool {
        match self {
            Expr::And(a, b) => a.matches(row) && b.matches(row),
            Expr::Or(a, b) => a.matches(row) || b.matches(row),
            Expr::Not(e) => !e.matches(row),
            Expr::Compare(a, op, b) => compare(
                &a.value(row),
                *op,
                &b.value(row),
                a.is_datetime() || b.is_datetime(),
            ),
            Expr::Text(f, a, b) => match (a.value(row), b.value(row)) {
                (Value::String(hay), Value::String(needle)) => {
                    let (hay, needle) = (hay.to_lowercase(), needle.to_lowercase());
                    match f {
                        TextFn::Contains => hay.contains(&needle),
                        TextFn::StartsWith => hay.starts_with(&needle),
                        TextFn::EndsWith => hay.ends_with(&needle),
                    }
                }
                _ => false,
            },
            Expr::Truth(o) => o.value(row) == Value::Bool(true),
        }
    }
}

impl Operand {
    fn value(&self, row: &Row) -> Value {
        match self {
            Operand::Property { name, .. } => row.get(name).cloned().unwrap_or(Value::Null),
            Operand::Cased(inner) => inner.value(row),
            Operand::Literal(v) => v.clone(),
        }
    }

    fn is_datetime(&self) -> bool {
        match self {
            Operand::Property { datetime, .. } => *datetime,
            Operand::Cased(inner) => inner.is_datetime(),
            Operand::Literal(_) => false,
        }
    }
}

/// Strings compare case-insensitively: BC, F&O and Dataverse sit on SQL
/// Server with its default case-insensitive collation.
pub fn order_values(a: &Value, b: &Value, datetime: bool) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        // SQL Server sorts NULL first ascending.
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) if datetime => {
            match (
                OffsetDateTime::parse(x, &Rfc3339),
                OffsetDateTime::parse(y, &Rfc3339),
            ) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => x.cmp(y),
            }
        }
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        _ => Ordering::Equal,
    }
}

fn compare(a: &Value, op: Op, b: &Value, datetime: bool) -> bool {
    // OData: `x eq null` is true only for null; ordering against null is false.
    if a.is_null() || b.is_null() {
        return match op {
            Op::Eq => a.is_null() && b.is_null(),
            Op::Ne => a.is_null() != b.is_null(),
            _ => false,
        };
    }
    let ord = order_values(a, b, datetime);
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Literal(Value),
    Open,
    Close,
    Comma,
}

pub fn parse(text: &str, entity: &EntityType) -> Result<Expr, QueryError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        text,
        entity,
    };
    let expr = parser.or()?;
    if parser.at < parser.tokens.len() {
        return Err(parser.syntax_error());
    }
    Ok(expr)
}

fn lex(text: &str) -> Result<Vec<(usize, Token)>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let error = |at: usize| QueryError::syntax(at, text);
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                tokens.push((start, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((start, Token::Close));
                i += 1;
            }
            ',' => {
                tokens.push((start, Token::Comma));
                i += 1;
            }
            '\'' => {
                let (text, next) = quoted(&chars, i).ok_or_else(|| error(start))?;
                tokens.push((start, Token::Literal(Value::String(text))));
                i = next;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                i += 1;
                while chars.get(i).is_some_and(|ch| {
                    ch.is_ascii_alphanumeric() || matches!(ch, ':' | '.' | '-' | '+')
                }) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push((
                    start,
                    Token::Literal(bare_literal(&word).ok_or_else(|| error(start))?),
                ));
            }
            c if c.is_alphabetic() || c == '_' || c == '@' => {
                while chars
                    .get(i)
                    .is_some_and(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '.' | '@'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // A GUID may start with a letter: `d5026a4d-d01c-…`.
                if chars.get(i) == Some(&'-') {
                    while chars
                        .get(i)
                        .is_some_and(|ch| ch.is_ascii_hexdigit() || *ch == '-')
                    {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    tokens.push((
                        start,
                        Token::Literal(bare_literal(&word).ok_or_else(|| error(start))?),
                    ));
                } else if chars.get(i) == Some(&'\'') {
                    // A qualified enum literal: Microsoft.NAV.contactType'Company'.
                    let (text, next) = quoted(&chars, i).ok_or_else(|| error(i))?;
                    tokens.push((start, Token::Literal(Value::String(text))));
                    i = next;
                } else {
                    tokens.push((start, Token::Word(word)));
                }
            }
            _ => return Err(error(start)),
        }
    }
    Ok(tokens)
}

/// A `'…'` string starting at `start` (`''` is a quote): its text and the
/// index after it.
fn quoted(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i)? {
            '\'' if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            '\'' => return Some((text, i + 1)),
            &ch => {
                text.push(ch);
                i += 1;
            }
        }
    }
}

/// Unquoted literals: numbers, GUIDs, dates and date-times.
fn bare_literal(word: &str) -> Option<Value> {
    if uuid::Uuid::parse_str(word).is_ok() && word.len() == 36 {
        return Some(Value::String(word.to_lowercase()));
    }
    let bytes = word.as_bytes();
    if word.len() == 10 && bytes.get(4) == Some(&b'-') && bytes.get(7) == Some(&b'-') {
        return time::Date::parse(
            word,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .map(|_| Value::String(word.into()));
    }
    if word.contains('T') {
        return OffsetDateTime::parse(word, &Rfc3339)
            .ok()
            .map(|_| Value::String(word.into()));
    }
    let number = word.trim_end_matches(['m', 'M', 'd', 'D', 'L', 'l', 'f', 'F']);
    if let Ok(n) = number.parse::<i64>() {
        return Some(Value::from(n));
    }
    number
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    at: usize,
    text: &'a str,
    entity: &'a EntityType,
}

impl Parser<'_> {
    fn syntax_error(&self) -> QueryError {
        let position = self
            .tokens
            .get(self.at)
            .map_or(self.text.chars().count(), |(p, _)| *p);
        QueryError::syntax(position, self.text)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.at) {
            Some((_, Token::Word(w))) => Some(w),
            _ => None,
        }
    }

    fn expect(&mut self, token: Token) -> Result<(), QueryError> {
        match self.tokens.get(self.at) {
            Some((_, t)) if *t == token => {
                self.at += 1;
                Ok(())
            }
            _ => Err(self.syntax_error()),
        }
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.peek_word() == Some("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.unary()?;
        while self.peek_word() == Some("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.peek_word() == Some("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        if matches!(self.tokens.get(self.at), Some((_, Token::Open))) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(Token::Close)?;
            return Ok(inner);
        }
        if let Some(f) = self.peek_word().and_then(text_fn) {
            self.at += 1;
            self.expect(Token::Open)?;
            let a = self.operand()?;
            self.expect(Token::Comma)?;
            let b = self.operand()?;
            self.expect(Token::Close)?;
            return Ok(Expr::Text(f, a, b));
        }
        let left = self.operand()?;
        let op = match self.peek_word().and_then(comparison_op) {
            Some(op) => op,
            None => return Ok(Expr::Truth(left)),
        };
        self.at += 1;
        let right = self.operand()?;
        Ok(Expr::Compare(left, op, right))
    }

    fn operand(&mut self) -> Result<Operand, QueryError> {
        let Some((_, token)) = self.tokens.get(self.at).cloned() else {
            return Err(self.syntax_error());
        };
        self.at += 1;
        match token {
            Token::Literal(v) => Ok(Operand::Literal(v)),
            Token::Word(w) if w == "true" || w == "false" => {
                Ok(Operand::Literal(Value::Bool(w == "true")))
            }
            Token::Word(w) if w == "null" => Ok(Operand::Literal(Value::Null)),
            Token::Word(w) if w == "tolower" || w == "toupper" => {
                self.expect(Token::Open)?;
                let inner = self.operand()?;
                self.expect(Token::Close)?;
                Ok(Operand::Cased(Box::new(inner)))
            }
            Token::Word(w) => match self.entity.property(&w) {
                Some(p) => Ok(Operand::Property {
                    datetime: p.ty == EdmType::DateTimeOffset,
                    name: w,
                }),
                None => Err(QueryError::unknown_property(&w, self.entity)),
            },
            _ => {
                self.at -= 1;
                Err(self.syntax_error())
            }
        }
    }
}

fn text_fn(word: &str) -> Option<TextFn> {
    match word {
        "contains" => Some(TextFn::Contains),
        "startswith" => Some(TextFn::StartsWith),
        "endswith" => Some(TextFn::EndsWith),
        _ => None,
    }
}

fn comparison_op(word: &str) -> Option<Op> {
    Some(match word {
        "eq" => Op::Eq,
        "ne" => Op::Ne,
        "gt" => Op::Gt,
        "ge" => Op::Ge,
        "lt" => Op::Lt,
        "le" => Op::Le,
        _ => return None,
    })
}
