//! `$filter`: the OData v4 expression language, read the way
//! Microsoft.OData.Core (ODL) reads it. ODL is the parser behind Business
//! Central, Finance & Operations and Dataverse, so accepted input, rejected
//! input and error texts match theirs. Three stages, each a port of ODL
//! (OData/odata.net, src/Microsoft.OData.Core/UriParser/):
//! - the lexer (`ExpressionLexer.cs`) and parser
//!   (`Parsers/UriQueryExpressionParser.cs`) build a syntax tree;
//! - the binder (`Binders/MetadataBinder.cs`, `TypePromotionUtils.cs`)
//!   checks names and types against the entity type, so evaluation cannot
//!   fail;
//! - the evaluator runs the bound expression over rows.
//!
//! The sandbox does not implement arithmetic (`add` … `mod`), `in`, `has`,
//! parameter aliases, duration/binary/spatial literals, or functions other
//! than `contains`, `startswith`, `endswith`, `tolower` and `toupper`; they
//! fail with the syntax or binding error ODL's grammar leads to.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, Time};
use uuid::Uuid;

use super::query_error::QueryError;
use super::{EdmType, EntityType, Row};

/// ODL's default `ODataUriParserSettings.FilterLimit` (and `OrderByLimit`):
/// how deep the parser may recurse.
const MAX_DEPTH: usize = 800;

/// `System.Decimal.MaxValue`: larger `m` literals do not parse.
const DECIMAL_MAX: f64 = 7.922_816_251_426_434e28;

// ---------------------------------------------------------------- lexer --

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    End,
    /// Only while the lexer looks for `name(`: white space is then a token.
    Whitespace,
    Identifier,
    OpenParen,
    CloseParen,
    Comma,
    Minus,
    Slash,
    Dot,
    Star,
    Colon,
    Equal,
    Question,
    SemiColon,
    Null,
    Boolean,
    String,
    Int32,
    Int64,
    Decimal,
    Double,
    Single,
    Date,
    DateTimeOffset,
    Guid,
    TimeOfDay,
    /// `prefix'…'`: `duration'P1D'`, or the last part of an enum literal.
    QuotedLiteral,
    /// `{…}` or `[…]`, kept as text (JSON values in function arguments).
    Bracketed,
}

impl Kind {
    fn is_numeric(self) -> bool {
        matches!(
            self,
            Kind::Int32 | Kind::Int64 | Kind::Decimal | Kind::Double | Kind::Single
        )
    }
}

/// A token: its kind and where it is, in chars of the expression.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) kind: Kind,
    start: usize,
    end: usize,
}

/// ODL's `ExpressionLexer`: always positioned on a current token; reading
/// the next one is where lexical errors surface, as in ODL.
pub(super) struct Lexer {
    text: String,
    chars: Vec<char>,
    pos: usize,
    token: Token,
    previous_end: usize,
    ignore_whitespace: bool,
    semicolon_delimits: bool,
}

impl Lexer {
    /// A lexer on the first token of `text`. `;` is a token in `$filter`
    /// and `$orderby`, an invalid character in `$select` (as in ODL).
    pub(super) fn new(text: &str, semicolon_delimits: bool) -> Result<Lexer, QueryError> {
        let mut lexer = Lexer {
            text: text.to_string(),
            chars: text.chars().collect(),
            pos: 0,
            token: Token {
                kind: Kind::End,
                start: 0,
                end: 0,
            },
            previous_end: 0,
            ignore_whitespace: true,
            semicolon_delimits,
        };
        lexer.next_token()?;
        Ok(lexer)
    }

    pub(super) fn token(&self) -> Token {
        self.token
    }

    pub(super) fn kind(&self) -> Kind {
        self.token.kind
    }

    pub(super) fn text_of(&self, token: Token) -> String {
        self.slice(token.start, token.end)
    }

    /// ODL's `IdentifierIs`: keywords are case-sensitive.
    pub(super) fn is_identifier(&self, word: &str) -> bool {
        self.token.kind == Kind::Identifier && self.text_of(self.token) == word
    }

    pub(super) fn next_token(&mut self) -> Result<Token, QueryError> {
        let token = self.lex()?;
        self.previous_end = self.token.end;
        self.token = token;
        Ok(token)
    }

    pub(super) fn peek(&mut self) -> Result<Token, QueryError> {
        let pos = self.pos;
        let token = self.lex();
        self.pos = pos;
        token
    }

    /// ODL's `ValidateToken`.
    pub(super) fn expect(&self, kind: Kind) -> Result<(), QueryError> {
        if self.token.kind == kind {
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    /// ODL names the lexer's position here: just after the current token.
    fn syntax_error(&self) -> QueryError {
        QueryError::syntax_error(self.utf16(self.pos), &self.text)
    }

    /// Where `token` starts, as the messages count: UTF-16 code units.
    pub(super) fn position_of(&self, token: Token) -> usize {
        self.utf16(token.start)
    }

    /// ODL's `ExpandIdentifierAsFunction`: is the (possibly dotted)
    /// identifier directly followed by `(`? If so the current token becomes
    /// the whole name; if not nothing moves.
    fn function_name(&mut self) -> Result<bool, QueryError> {
        if self.token.kind != Kind::Identifier {
            return Ok(false);
        }
        let (pos, token, previous_end) = (self.pos, self.token, self.previous_end);
        self.ignore_whitespace = false;
        let matched = self.dotted_name_then_paren();
        self.ignore_whitespace = true;
        let matched = matched?;
        if matched {
            self.token = Token {
                end: self.pos,
                ..token
            };
        } else {
            (self.pos, self.token, self.previous_end) = (pos, token, previous_end);
        }
        Ok(matched)
    }

    fn dotted_name_then_paren(&mut self) -> Result<bool, QueryError> {
        while self.advance_if(Kind::Dot)? && self.advance_if(Kind::Identifier)? {}
        Ok(self.token.kind == Kind::Identifier && self.peek()?.kind == Kind::OpenParen)
    }

    fn advance_if(&mut self, kind: Kind) -> Result<bool, QueryError> {
        let matched = self.peek()?.kind == kind;
        if matched {
            self.next_token()?;
        }
        Ok(matched)
    }

    /// ODL's `ReadDottedIdentifier`: `a.b.c`, whose last part may be a
    /// quoted literal (`Microsoft.NAV.contactType'Company'`).
    pub(super) fn dotted_identifier(&mut self) -> Result<String, QueryError> {
        self.expect(Kind::Identifier)?;
        let (start, mut end) = (self.token.start, self.token.end);
        self.next_token()?;
        while self.token.kind == Kind::Dot {
            self.next_token()?;
            if !matches!(self.token.kind, Kind::Identifier | Kind::QuotedLiteral) {
                return Err(self.syntax_error());
            }
            end = self.token.end;
            self.next_token()?;
        }
        Ok(self.slice(start, end))
    }

    /// ODL folds a `-` into the numeric literal after it by re-slicing the
    /// text from the `-` for the literal's length plus one (so `- 5` reads
    /// as `- `, which then fails to parse, as in ODL).
    fn merge_minus(&mut self, minus: Token) {
        let length = self.token.end - self.token.start;
        self.token = Token {
            kind: self.token.kind,
            start: minus.start,
            end: minus.start + 1 + length,
        };
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.chars
            .iter()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect()
    }

    fn utf16(&self, index: usize) -> usize {
        self.chars.iter().take(index).map(|c| c.len_utf16()).sum()
    }

    fn ch(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn advance(&mut self) {
        self.pos = (self.pos + 1).min(self.chars.len());
    }

    fn skip_while(&mut self, accept: impl Fn(char) -> bool) {
        while self.ch().is_some_and(&accept) {
            self.advance();
        }
    }

    /// ODL's `NextTokenImplementation` and `HandleTypePrefixedLiterals`.
    fn lex(&mut self) -> Result<Token, QueryError> {
        if self.ignore_whitespace {
            self.skip_while(char::is_whitespace);
        }
        let start = self.pos;
        let kind = match self.ch() {
            None => Kind::End,
            Some(c) => self.lex_from(c, start)?,
        };
        let token = Token {
            kind,
            start,
            end: self.pos,
        };
        self.typed_literal(token)
    }

    fn lex_from(&mut self, c: char, start: usize) -> Result<Kind, QueryError> {
        let single = match c {
            '(' => Some(Kind::OpenParen),
            ')' => Some(Kind::CloseParen),
            ',' => Some(Kind::Comma),
            '=' => Some(Kind::Equal),
            '/' => Some(Kind::Slash),
            '?' => Some(Kind::Question),
            '.' => Some(Kind::Dot),
            '*' => Some(Kind::Star),
            ':' => Some(Kind::Colon),
            ';' if self.semicolon_delimits => Some(Kind::SemiColon),
            _ => None,
        };
        if let Some(kind) = single {
            self.advance();
            return Ok(kind);
        }
        match c {
            '-' => self.minus(start),
            '\'' => {
                self.quoted(QueryError::unterminated_string)?;
                Ok(Kind::String)
            }
            '{' => self.bracketed('{', '}'),
            '[' => self.bracketed('[', ']'),
            c if c.is_whitespace() => {
                self.skip_while(char::is_whitespace);
                Ok(Kind::Whitespace)
            }
            c if is_identifier_start(c) => self.identifier(start),
            c if c.is_ascii_digit() => self.number(start),
            c => Err(QueryError::invalid_character(
                c,
                self.utf16(self.pos),
                &self.text,
            )),
        }
    }

    /// `-5` is one literal; `-` before anything else is the minus token.
    fn minus(&mut self, start: usize) -> Result<Kind, QueryError> {
        if self
            .chars
            .get(start + 1)
            .is_some_and(|c| c.is_ascii_digit())
        {
            let kind = self.number(start)?;
            if kind.is_numeric() {
                return Ok(kind);
            }
            self.pos = start;
        }
        self.advance();
        Ok(Kind::Minus)
    }

    /// From an opening quote past its closing one; `''` stays inside.
    fn quoted(&mut self, unterminated: fn(usize, &str) -> QueryError) -> Result<(), QueryError> {
        loop {
            self.advance();
            self.skip_while(|c| c != '\'');
            if self.ch().is_none() {
                return Err(unterminated(self.utf16(self.pos), &self.text));
            }
            self.advance();
            if self.ch() != Some('\'') {
                return Ok(());
            }
        }
    }

    /// ODL's `AdvanceThroughBalancedExpression`: single-quoted text does
    /// not count, brackets inside double quotes do.
    fn bracketed(&mut self, open: char, close: char) -> Result<Kind, QueryError> {
        self.advance();
        let mut depth = 1usize;
        let mut double_quoted = false;
        while depth > 0 {
            let escaped = self.pos > 0 && self.chars.get(self.pos - 1) == Some(&'\\');
            if self.ch() == Some('"') && !escaped {
                double_quoted = !double_quoted;
            }
            if self.ch() == Some('\'') && !double_quoted {
                self.advance();
                self.skip_while(|c| c != '\'');
            }
            match self.ch() {
                None => return Err(QueryError::unbalanced_bracket()),
                Some(c) if c == open => depth += 1,
                Some(c) if c == close => depth -= 1,
                Some(_) => {}
            }
            self.advance();
        }
        Ok(Kind::Bracketed)
    }

    fn identifier(&mut self, start: usize) -> Result<Kind, QueryError> {
        self.advance();
        self.skip_while(is_identifier_part);
        if self.ch() == Some('-') && self.try_literal(start, |s| Ok(parse_guid(s).is_some()))? {
            return Ok(Kind::Guid);
        }
        Ok(Kind::Identifier)
    }

    /// ODL's `ParseFromDigit`, positioned on a digit or a leading `-`.
    fn number(&mut self, start: usize) -> Result<Kind, QueryError> {
        self.advance();
        self.skip_while(|c| c.is_ascii_digit());
        if let Some(kind) = self.date_time_or_guid(start)? {
            return Ok(kind);
        }
        let mut kind = Kind::Int32;
        if self.ch() == Some('.') {
            kind = Kind::Double;
            self.advance();
            self.digits()?;
        }
        if matches!(self.ch(), Some('e' | 'E')) {
            kind = Kind::Double;
            self.advance();
            if matches!(self.ch(), Some('+' | '-')) {
                self.advance();
            }
            self.digits()?;
        }
        let suffix = match self.ch() {
            Some('M' | 'm') => Some(Kind::Decimal),
            Some('D' | 'd') => Some(Kind::Double),
            Some('L' | 'l') => Some(Kind::Int64),
            Some('F' | 'f') => Some(Kind::Single),
            _ => None,
        };
        Ok(match suffix {
            Some(kind) => {
                self.advance();
                kind
            }
            None => best_guess(&self.slice(start, self.pos), kind),
        })
    }

    fn date_time_or_guid(&mut self, start: usize) -> Result<Option<Kind>, QueryError> {
        let guid = |s: &str| Ok(parse_guid(s).is_some());
        let found = match self.ch() {
            Some('-') => {
                if self.try_literal(start, |s| Ok(parse_date(s).is_some()))? {
                    Some(Kind::Date)
                } else if self.try_literal(start, |s| Ok(parse_date_time(s)?.is_some()))? {
                    Some(Kind::DateTimeOffset)
                } else if self.try_literal(start, guid)? {
                    Some(Kind::Guid)
                } else {
                    None
                }
            }
            Some(':') if self.try_literal(start, |s| Ok(parse_time(s).is_some()))? => {
                Some(Kind::TimeOfDay)
            }
            Some(c) if c.is_alphabetic() && self.try_literal(start, guid)? => Some(Kind::Guid),
            _ => None,
        };
        Ok(found)
    }

    /// ODL's `ParseLiteral`: the text from `start` up to the next `,`, `)`
    /// or space. The lexer stays past it when `accept` takes it.
    fn try_literal(
        &mut self,
        start: usize,
        accept: impl FnOnce(&str) -> Result<bool, QueryError>,
    ) -> Result<bool, QueryError> {
        let resume = self.pos;
        self.skip_while(|c| !matches!(c, ',' | ')' | ' '));
        let accepted = accept(&self.slice(start, self.pos))?;
        if !accepted {
            self.pos = resume;
        }
        Ok(accepted)
    }

    /// ODL's `ValidateDigit` then a run of digits.
    fn digits(&mut self) -> Result<(), QueryError> {
        if !self.ch().is_some_and(|c| c.is_ascii_digit()) {
            return Err(QueryError::digit_expected(self.utf16(self.pos), &self.text));
        }
        self.skip_while(|c| c.is_ascii_digit());
        Ok(())
    }

    /// Identifiers that are keywords, or prefixes of a quoted value.
    fn typed_literal(&mut self, token: Token) -> Result<Token, QueryError> {
        if token.kind != Kind::Identifier {
            return Ok(token);
        }
        let word = self.text_of(token);
        if self.ch() == Some('\'') {
            // ODL: "typed null literals are not supported".
            if word.eq_ignore_ascii_case("null") {
                return Err(self.syntax_error());
            }
            self.quoted(QueryError::unterminated_literal)?;
            return Ok(Token {
                kind: Kind::QuotedLiteral,
                end: self.pos,
                ..token
            });
        }
        let kind = match word.as_str() {
            "true" | "false" => Kind::Boolean,
            "null" => Kind::Null,
            _ => Kind::Identifier,
        };
        Ok(Token { kind, ..token })
    }
}

/// ODL accepts what EDM allows in names; these are the Unicode classes
/// Rust offers for them (letters, letter numbers, digits, `_`).
fn is_identifier_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_identifier_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// ODL's `MakeBestGuessOnNoSuffixStr`: a number without suffix is the
/// narrowest of Int32, Int64, Decimal (when a double would lose digits),
/// Single and Double that holds it. The type only shows in error messages.
fn best_guess(text: &str, guessed: Kind) -> Kind {
    if guessed == Kind::Int32 {
        if text.parse::<i32>().is_ok() {
            return Kind::Int32;
        }
        if text.parse::<i64>().is_ok() {
            return Kind::Int64;
        }
    }
    let Ok(double) = text.parse::<f64>() else {
        return Kind::Double;
    };
    // .NET's decimal parse takes no exponent and stops at Decimal.MaxValue.
    let decimal = !text.contains(['e', 'E']) && double.abs() < DECIMAL_MAX;
    if decimal && !same_number(text, &double.to_string()) {
        return Kind::Decimal;
    }
    let single = text
        .parse::<f32>()
        .ok()
        .and_then(|s| s.to_string().parse::<f64>().ok());
    if single == Some(double) {
        Kind::Single
    } else {
        Kind::Double
    }
}

/// Whether two plain decimal numerals name the same value (`1.50`, `1.5`).
fn same_number(a: &str, b: &str) -> bool {
    significant_digits(a) == significant_digits(b)
}

/// (negative, significant digits, power of ten of the first of them).
fn significant_digits(text: &str) -> (bool, String, i64) {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all = format!("{whole}{fraction}");
    let digits = all.trim_start_matches('0');
    let exponent = whole.len() as i64 - (all.len() - digits.len()) as i64;
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        return (false, String::new(), 0);
    }
    (negative, digits.to_string(), exponent)
}

/// ODL's `TryUriStringToGuid`: only the 36-character hyphenated form.
fn parse_guid(text: &str) -> Option<Uuid> {
    (text.len() == 36 && text.find('-') == Some(8))
        .then(|| Uuid::parse_str(text).ok())
        .flatten()
}

/// ODL's `DateValidator` (`yyyy-M-d`: month and day may drop the leading
/// zero) and a calendar check, as `DateTime.TryParse` does.
fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some()
        || !digits(year, 4..=4)
        || !digits(month, 1..=2)
        || !digits(day, 1..=2)
    {
        return None;
    }
    let year: i32 = year.parse().ok().filter(|&y| y >= 1)?;
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, day.parse().ok()?).ok()
}

/// ODL's `TimeOfDayValidator`: `h:m[:s[.fffffff]]`.
fn parse_time(text: &str) -> Option<Time> {
    let mut parts = text.split(':');
    let hour = two_digits(parts.next()?).filter(|&h| h <= 23)?;
    let minute = two_digits(parts.next()?).filter(|&m| m <= 59)?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let second = two_digits(whole).filter(|&s| s <= 59)?;
            if seconds.contains('.')
                && !((1..=7).contains(&fraction.len())
                    && fraction.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            (second, format!("{fraction:0<9}").parse().ok()?)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

fn two_digits(text: &str) -> Option<u8> {
    ((1..=2).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// ODL's `ConvertUriStringToDateTimeOffset`: ISO 8601 with a required
/// offset; the seconds may be left out. A text shaped like a date-time
/// that still fails is an error rather than some other literal, which is
/// what an unencoded `+01:00` (a space after URL decoding) runs into.
fn parse_date_time(text: &str) -> Result<Option<OffsetDateTime>, QueryError> {
    match OffsetDateTime::parse(&pad_seconds(text), &Rfc3339) {
        Ok(value) => Ok(Some(value)),
        Err(_) if looks_like_date_time(text) => Err(QueryError::date_time_offset_format(text)),
        Err(_) => Ok(None),
    }
}

/// ODL's `AddSecondsPaddingIfMissing`: `…Thh:mm` gains `:00`.
fn pad_seconds(text: &str) -> Cow<'_, str> {
    let Some(t) = text.find('T').filter(|&t| t > 0) else {
        return text.into();
    };
    match (text.get(..t + 6), text.get(t + 6..)) {
        (Some(head), Some(tail)) if !tail.starts_with(':') => format!("{head}:00{tail}").into(),
        _ => text.into(),
    }
}

/// ODL's `PotentialDateTimeOffsetValidator`:
/// `^\d{2,4}-\d{1,2}-\d{1,2}(T|\s+)\d{1,2}:\d{1,2}`.
fn looks_like_date_time(text: &str) -> bool {
    let mut rest = text;
    take_digits(&mut rest, 2..=4)
        && take(&mut rest, "-")
        && take_digits(&mut rest, 1..=2)
        && take(&mut rest, "-")
        && take_digits(&mut rest, 1..=2)
        && (take(&mut rest, "T") || take_whitespace(&mut rest))
        && take_digits(&mut rest, 1..=2)
        && take(&mut rest, ":")
        && take_digits(&mut rest, 1..=2)
}

fn take_digits(rest: &mut &str, count: std::ops::RangeInclusive<usize>) -> bool {
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest.get(n..) {
        Some(tail) if count.contains(&n) => {
            *rest = tail;
            true
        }
        _ => false,
    }
}

fn take(rest: &mut &str, prefix: &str) -> bool {
    match rest.strip_prefix(prefix) {
        Some(tail) => {
            *rest = tail;
            true
        }
        None => false,
    }
}

fn take_whitespace(rest: &mut &str) -> bool {
    let tail = rest.trim_start();
    let taken = tail.len() < rest.len();
    *rest = tail;
    taken
}

// --------------------------------------------------------------- parser --

/// The syntax tree, before names and types are checked.
#[derive(Debug)]
pub(super) enum Syntax {
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
pub(super) enum CmpOp {
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

    fn is_equality(self) -> bool {
        matches!(self, CmpOp::Equal | CmpOp::NotEqual)
    }

    /// MS-ODATA §2.2.3.6.1.1.5 (lifted operators): two nulls are equal, a
    /// null is unequal to any value, and order comparisons with a null are
    /// false.
    fn holds(self, a: &Val, b: &Val) -> bool {
        if *a == Val::Null || *b == Val::Null {
            let both = a == b;
            return match self {
                CmpOp::Equal => both,
                CmpOp::NotEqual => !both,
                _ => false,
            };
        }
        compare(a, b).is_some_and(|order| match self {
            CmpOp::Equal => order.is_eq(),
            CmpOp::NotEqual => order.is_ne(),
            CmpOp::GreaterThan => order.is_gt(),
            CmpOp::GreaterThanOrEqual => order.is_ge(),
            CmpOp::LessThan => order.is_lt(),
            CmpOp::LessThanOrEqual => order.is_le(),
        })
    }
}

/// ODL's `UriQueryExpressionParser`, for the operators the sandbox
/// evaluates: `or` < `and` < comparisons < `not`/`-` < primaries.
pub(super) struct Parser {
    lexer: Lexer,
    depth: usize,
}

impl Parser {
    pub(super) fn new(text: &str) -> Result<Parser, QueryError> {
        Ok(Parser {
            lexer: Lexer::new(text, true)?,
            depth: 0,
        })
    }

    pub(super) fn lexer(&mut self) -> &mut Lexer {
        &mut self.lexer
    }

    fn expression(&mut self) -> Result<Syntax, QueryError> {
        self.enter()?;
        let expression = self.logical("or", Syntax::Or, Self::and)?;
        self.leave(1);
        Ok(expression)
    }

    /// An expression and the text it was written as (`$orderby` items).
    pub(super) fn expression_with_text(&mut self) -> Result<(String, Syntax), QueryError> {
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
fn unquote(text: &str) -> String {
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

// --------------------------------------------------------------- binder --

/// The type of a bound expression, named in messages as ODL names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ty {
    /// The `null` literal, which has no type in ODL.
    Null,
    Boolean,
    Int32,
    Int64,
    Single,
    Double,
    Decimal,
    String,
    Guid,
    Date,
    DateTimeOffset,
    TimeOfDay,
    /// Qualified enum type name.
    Enum(String),
}

impl Ty {
    fn of(ty: &EdmType, namespace: &str) -> Ty {
        match ty {
            EdmType::String => Ty::String,
            EdmType::Guid => Ty::Guid,
            EdmType::Boolean => Ty::Boolean,
            EdmType::Int32 => Ty::Int32,
            EdmType::Int64 => Ty::Int64,
            EdmType::Decimal => Ty::Decimal,
            EdmType::Double => Ty::Double,
            EdmType::Date => Ty::Date,
            EdmType::DateTimeOffset => Ty::DateTimeOffset,
            EdmType::Enum(name) => Ty::Enum(format!("{namespace}.{name}")),
        }
    }

    fn name(&self) -> String {
        match self {
            Ty::Null => "<null>".into(),
            Ty::Enum(name) => name.clone(),
            other => format!("Edm.{other:?}"),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(
            self,
            Ty::Int32 | Ty::Int64 | Ty::Single | Ty::Double | Ty::Decimal
        )
    }

    fn is_boolean(&self) -> bool {
        matches!(self, Ty::Boolean | Ty::Null)
    }
}

/// How a property type is named in messages (`Edm.String`,
/// `Microsoft.NAV.contactType`).
pub(super) fn type_name(ty: &EdmType, namespace: &str) -> String {
    Ty::of(ty, namespace).name()
}

/// Whether ODL's `TypePromotionUtils.PromoteOperandTypes` finds a
/// comparison signature for the two operands. `literal` marks constants,
/// which may also promote from Single/Double to Decimal.
fn comparable(
    op: CmpOp,
    (left, left_literal): (&Ty, bool),
    (right, right_literal): (&Ty, bool),
) -> bool {
    let to_decimal = |ty: &Ty, literal: bool| !matches!(ty, Ty::Single | Ty::Double) || literal;
    match (left, right) {
        (Ty::Enum(a), Ty::Enum(b)) => a == b,
        (Ty::Enum(_), Ty::Null | Ty::String | Ty::Int32 | Ty::Int64)
        | (Ty::Null | Ty::String | Ty::Int32 | Ty::Int64, Ty::Enum(_)) => op.is_equality(),
        (Ty::Enum(_), _) | (_, Ty::Enum(_)) => false,
        (Ty::Null, _) | (_, Ty::Null) => true,
        (Ty::Decimal, other) => other.is_numeric() && to_decimal(other, right_literal),
        (other, Ty::Decimal) => other.is_numeric() && to_decimal(other, left_literal),
        (a, b) if a.is_numeric() && b.is_numeric() => true,
        (Ty::Date | Ty::DateTimeOffset, Ty::Date | Ty::DateTimeOffset) => true,
        (a, b) => a == b,
    }
}

/// The string functions the sandbox evaluates, as ODL's
/// `BuiltInUriFunctions` declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextFn {
    Contains,
    StartsWith,
    EndsWith,
    ToLower,
    ToUpper,
}

impl TextFn {
    fn named(name: &str) -> Option<TextFn> {
        Some(match name {
            "contains" => TextFn::Contains,
            "startswith" => TextFn::StartsWith,
            "endswith" => TextFn::EndsWith,
            "tolower" => TextFn::ToLower,
            "toupper" => TextFn::ToUpper,
            _ => return None,
        })
    }

    fn arity(self) -> usize {
        match self {
            TextFn::ToLower | TextFn::ToUpper => 1,
            _ => 2,
        }
    }

    fn result(self) -> Ty {
        match self {
            TextFn::ToLower | TextFn::ToUpper => Ty::String,
            _ => Ty::Boolean,
        }
    }

    /// As ODL's `BuildFunctionSignatureListDescription` writes it.
    fn signature(self, name: &str) -> String {
        let parameters = vec!["Edm.String Nullable=true"; self.arity()].join(", ");
        format!("{name}({parameters})")
    }

    /// Null in, null out; string matching ignores case like the
    /// comparisons (see [`compare`]).
    fn apply(self, args: &[Val]) -> Val {
        match (self, args) {
            (TextFn::ToLower, [Val::Str(s)]) => Val::Str(s.to_lowercase()),
            (TextFn::ToUpper, [Val::Str(s)]) => Val::Str(s.to_uppercase()),
            (_, [Val::Str(s), Val::Str(part)]) => {
                let (s, part) = (s.to_lowercase(), part.to_lowercase());
                Val::Bool(match self {
                    TextFn::StartsWith => s.starts_with(&part),
                    TextFn::EndsWith => s.ends_with(&part),
                    _ => s.contains(&part),
                })
            }
            _ => Val::Null,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Literal(Val),
    Property { name: String, ty: EdmType },
    Not(Box<Node>),
    Negate(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Compare(CmpOp, Box<Node>, Box<Node>),
    Text(TextFn, Vec<Node>),
}

/// A `$filter` (or `$orderby` item) bound to an entity type.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    node: Node,
    ty: Ty,
}

impl Expr {
    /// Whether `row` passes: the expression is true (null counts as false,
    /// MS-ODATA §2.2.3.6.1.1.5).
    pub fn matches(&self, row: &Row) -> bool {
        self.node.eval(row) == Val::Bool(true)
    }

    pub(super) fn value(&self, row: &Row) -> Val {
        self.node.eval(row)
    }

    /// The property when the expression is just one.
    pub(super) fn property(&self) -> Option<&str> {
        match &self.node {
            Node::Property { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// `$filter`: parsed, bound to `entity` and required to be Boolean.
pub fn parse(text: &str, entity: &EntityType) -> Result<Expr, QueryError> {
    let mut parser = Parser::new(text)?;
    let syntax = parser.expression()?;
    parser.lexer.expect(Kind::End)?;
    let expr = bind(&syntax, entity)?;
    if !expr.ty.is_boolean() {
        return Err(QueryError::filter_not_boolean());
    }
    Ok(expr)
}

/// ODL's `MetadataBinder` over a syntax tree.
pub(super) fn bind(syntax: &Syntax, entity: &EntityType) -> Result<Expr, QueryError> {
    let (node, ty) = Binder { entity }.bind(syntax)?;
    Ok(Expr { node, ty })
}

struct Binder<'a> {
    entity: &'a EntityType,
}

impl Binder<'_> {
    fn bind(&self, syntax: &Syntax) -> Result<(Node, Ty), QueryError> {
        match syntax {
            Syntax::Literal(value, ty) => Ok((Node::Literal(value.clone()), ty.clone())),
            Syntax::Property { parent: None, name } => self.property(name),
            // Only the entity has properties; a primitive has none.
            Syntax::Property {
                parent: Some(parent),
                name,
            } => {
                let (_, ty) = self.bind(parent)?;
                Err(QueryError::property_not_declared(&ty.name(), name))
            }
            Syntax::Lambda(parent) => {
                self.bind(parent)?;
                Err(QueryError::lambda_parent_not_collection())
            }
            Syntax::Dotted(name) => self.enum_literal(name),
            Syntax::Star => Err(QueryError::unsupported_token_kind("Star")),
            Syntax::Call { name, args, named } => self.call(name, args, *named),
            Syntax::Not(operand) => {
                let (operand, _) = self.unary(operand, "Not", Ty::is_boolean)?;
                Ok((Node::Not(Box::new(operand)), Ty::Boolean))
            }
            Syntax::Negate(operand) => {
                let (operand, ty) = self.unary(operand, "Negate", Ty::is_numeric)?;
                Ok((Node::Negate(Box::new(operand)), ty))
            }
            Syntax::And(operands) => self.logical(operands, "And", Node::And),
            Syntax::Or(operands) => self.logical(operands, "Or", Node::Or),
            Syntax::Compare(op, left, right) => self.compare(*op, left, right),
        }
    }

    fn property(&self, name: &str) -> Result<(Node, Ty), QueryError> {
        let property = self.entity.property(name).ok_or_else(|| {
            QueryError::property_not_declared(&self.entity.qualified_name(), name)
        })?;
        let ty = Ty::of(&property.ty, &self.entity.namespace);
        let node = Node::Property {
            name: name.into(),
            ty: property.ty.clone(),
        };
        Ok((node, ty))
    }

    /// `Microsoft.NAV.contactType'Company'`, when that enum type is one of
    /// this entity's (the model knows no others).
    fn enum_literal(&self, text: &str) -> Result<(Node, Ty), QueryError> {
        let Some((type_name, quoted)) = text.split_once('\'') else {
            return Err(QueryError::cast_not_entity(text));
        };
        let ty = Ty::Enum(type_name.to_string());
        let known = self
            .entity
            .properties
            .iter()
            .any(|p| Ty::of(&p.ty, &self.entity.namespace) == ty);
        if !known || !quoted.ends_with('\'') {
            return Err(QueryError::not_valid_enum_constant(text));
        }
        let member = unquote(&format!("'{quoted}"));
        Ok((Node::Literal(Val::Enum(member)), ty))
    }

    /// Arguments first, then the function (ODL's `FunctionCallBinder`).
    fn call(&self, name: &str, args: &[Syntax], named: bool) -> Result<(Node, Ty), QueryError> {
        let (nodes, types): (Vec<Node>, Vec<Ty>) = args
            .iter()
            .map(|arg| self.bind(arg))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip();
        let function = TextFn::named(name)
            .filter(|_| !named)
            .ok_or_else(|| QueryError::unknown_function(name))?;
        let untyped = !types.is_empty() && types.iter().all(|t| *t == Ty::Null);
        if untyped && types.len() != function.arity() {
            return Err(QueryError::no_suitable_overload(name, types.len()));
        }
        if types.len() != function.arity()
            || types.iter().any(|t| !matches!(t, Ty::String | Ty::Null))
        {
            return Err(QueryError::no_applicable_function(
                name,
                &function.signature(name),
            ));
        }
        Ok((Node::Text(function, nodes), function.result()))
    }

    /// The operand of `not` or `-`, which must be of an accepted type or
    /// the null literal.
    fn unary(
        &self,
        operand: &Syntax,
        kind: &str,
        accepts: fn(&Ty) -> bool,
    ) -> Result<(Node, Ty), QueryError> {
        let (operand, ty) = self.bind(operand)?;
        if !accepts(&ty) && ty != Ty::Null {
            return Err(QueryError::incompatible_operand(&ty.name(), kind));
        }
        Ok((operand, ty))
    }

    /// Checked pairwise, left to right, as ODL binds `(a and b) and c`.
    fn logical(
        &self,
        operands: &[Syntax],
        kind: &str,
        node: fn(Vec<Node>) -> Node,
    ) -> Result<(Node, Ty), QueryError> {
        let mut nodes = Vec::with_capacity(operands.len());
        let mut left: Option<Ty> = None;
        for operand in operands {
            let (operand, ty) = self.bind(operand)?;
            if let Some(left) = &left {
                if !left.is_boolean() || !ty.is_boolean() {
                    return Err(QueryError::incompatible_operands(
                        &left.name(),
                        &ty.name(),
                        kind,
                    ));
                }
            }
            left = Some(if left.is_some() { Ty::Boolean } else { ty });
            nodes.push(operand);
        }
        Ok((node(nodes), Ty::Boolean))
    }

    fn compare(&self, op: CmpOp, left: &Syntax, right: &Syntax) -> Result<(Node, Ty), QueryError> {
        let (left_node, left_ty) = self.bind(left)?;
        let (right_node, right_ty) = self.bind(right)?;
        let literal = |node: &Node| matches!(node, Node::Literal(_));
        if !comparable(
            op,
            (&left_ty, literal(&left_node)),
            (&right_ty, literal(&right_node)),
        ) {
            return Err(QueryError::incompatible_operands(
                &left_ty.name(),
                &right_ty.name(),
                &format!("{op:?}"),
            ));
        }
        let node = Node::Compare(op, Box::new(left_node), Box::new(right_node));
        Ok((node, Ty::Boolean))
    }
}

// ----------------------------------------------------------- evaluation --

/// A value in an expression: a row's property, a literal or a result.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Guid(Uuid),
    Date(Date),
    DateTimeOffset(OffsetDateTime),
    Time(Time),
    /// An enum member name.
    Enum(String),
}

impl Val {
    /// A row's JSON value as its declared type; anything unreadable is null.
    fn of(value: Option<&Value>, ty: &EdmType) -> Val {
        let parsed = match (value, ty) {
            (Some(Value::Bool(b)), EdmType::Boolean) => Some(Val::Bool(*b)),
            (
                Some(Value::Number(n)),
                EdmType::Int32 | EdmType::Int64 | EdmType::Decimal | EdmType::Double,
            ) => n
                .as_i64()
                .map(Val::Int)
                .or_else(|| n.as_f64().map(Val::Float)),
            (Some(Value::String(s)), EdmType::String) => Some(Val::Str(s.clone())),
            (Some(Value::String(s)), EdmType::Enum(_)) => Some(Val::Enum(s.clone())),
            (Some(Value::String(s)), EdmType::Guid) => parse_guid(s).map(Val::Guid),
            (Some(Value::String(s)), EdmType::Date) => parse_date(s).map(Val::Date),
            (Some(Value::String(s)), EdmType::DateTimeOffset) => OffsetDateTime::parse(s, &Rfc3339)
                .ok()
                .map(Val::DateTimeOffset),
            _ => None,
        };
        parsed.unwrap_or(Val::Null)
    }

    fn number(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Dates compare with date-times as their UTC midnight (ODL promotes
    /// `Edm.Date` to `Edm.DateTimeOffset`).
    fn instant(&self) -> Option<OffsetDateTime> {
        match self {
            Val::Date(d) => Some(d.midnight().assume_utc()),
            Val::DateTimeOffset(t) => Some(*t),
            _ => None,
        }
    }

    fn negate(self) -> Val {
        match self {
            Val::Int(i) => i.checked_neg().map_or(Val::Float(-(i as f64)), Val::Int),
            Val::Float(f) => Val::Float(-f),
            _ => Val::Null,
        }
    }
}

/// The order of two non-null values, `None` when they don't compare.
/// Strings compare ignoring case: the services run on SQL Server with
/// case-insensitive collations, and Dataverse documents "All filters using
/// string values are case insensitive" (MicrosoftDocs/powerapps-docs,
/// powerapps-docs/developer/data-platform/webapi/query/filter-rows.md).
/// Enum members match exactly, as ODL looks them up (`StringComparison.
/// Ordinal`, Binders/MetadataBindingUtils.cs).
pub(super) fn compare(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => {
            a.number()?.partial_cmp(&b.number()?)
        }
        (Val::Str(x), Val::Str(y)) => Some(
            x.chars()
                .flat_map(char::to_lowercase)
                .cmp(y.chars().flat_map(char::to_lowercase)),
        ),
        (Val::Enum(x), Val::Enum(y) | Val::Str(y)) | (Val::Str(x), Val::Enum(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Guid(x), Val::Guid(y)) => Some(sql_server_order(x).cmp(&sql_server_order(y))),
        (Val::Time(x), Val::Time(y)) => Some(x.cmp(y)),
        (Val::Date(_) | Val::DateTimeOffset(_), Val::Date(_) | Val::DateTimeOffset(_)) => {
            Some(a.instant()?.cmp(&b.instant()?))
        }
        _ => None,
    }
}

/// SQL Server orders `uniqueidentifier` by its last six bytes first
/// (SqlGuid's comparison order `10..15, 8, 9, 6, 7, 4, 5, 0..3` over .NET's
/// byte layout, whose first three groups are little-endian; learn.microsoft.com
/// "Comparing GUID and uniqueidentifier Values"). Here in RFC byte order.
fn sql_server_order(id: &Uuid) -> [u8; 16] {
    const ORDER: [usize; 16] = [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0];
    let bytes = id.as_bytes();
    ORDER.map(|i| bytes[i])
}

impl Node {
    fn eval(&self, row: &Row) -> Val {
        match self {
            Node::Literal(value) => value.clone(),
            Node::Property { name, ty } => Val::of(row.get(name), ty),
            Node::Not(operand) => match operand.eval(row) {
                Val::Bool(b) => Val::Bool(!b),
                _ => Val::Null,
            },
            Node::Negate(operand) => operand.eval(row).negate(),
            // MS-ODATA §2.2.3.6.1.1.5: a null operand of `and`/`or` counts
            // as false.
            Node::And(operands) => {
                Val::Bool(operands.iter().all(|o| o.eval(row) == Val::Bool(true)))
            }
            Node::Or(operands) => {
                Val::Bool(operands.iter().any(|o| o.eval(row) == Val::Bool(true)))
            }
            Node::Compare(op, left, right) => {
                Val::Bool(op.holds(&left.eval(row), &right.eval(row)))
            }
            Node::Text(function, args) => {
                let args: Vec<Val> = args.iter().map(|a| a.eval(row)).collect();
                function.apply(&args)
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::odata::Property;

    /// A BC-like customer with a property of every EDM type.
    pub(in crate::odata) fn customer() -> EntityType {
        let property = |name: &str, ty: EdmType| Property {
            name: name.into(),
            ty,
            nullable: true,
        };
        EntityType {
            namespace: "Microsoft.NAV".into(),
            name: "customer".into(),
            set_name: "customers".into(),
            key: vec!["id".into()],
            properties: vec![
                property("id", EdmType::Guid),
                property("number", EdmType::String),
                property("displayName", EdmType::String),
                property("type", EdmType::Enum("contactType".into())),
                property("city", EdmType::String),
                property("balanceDue", EdmType::Decimal),
                property("rate", EdmType::Double),
                property("taxLiable", EdmType::Boolean),
                property("lines", EdmType::Int32),
                property("big", EdmType::Int64),
                property("postingDate", EdmType::Date),
                property("lastModifiedDateTime", EdmType::DateTimeOffset),
            ],
        }
    }

    pub(in crate::odata) fn adatum() -> Row {
        row(json!({
            "@odata.etag": "W/\"JzE5OzgzMTM5MjY4MTQ1NzY2MDMzNDIxOzAwOyc=\"",
            "id": "55e545bc-f6f9-ef11-9344-6045bdc8c234",
            "number": "10000",
            "displayName": "Adatum Corporation",
            "type": "Company",
            "city": "Atlanta",
            "balanceDue": 1200.5,
            "rate": 0.25,
            "taxLiable": true,
            "lines": 3,
            "big": 9_007_199_254_740_993_i64,
            "postingDate": "2024-01-15",
            "lastModifiedDateTime": "2025-03-05T19:19:22.273Z"
        }))
    }

    pub(in crate::odata) fn trey() -> Row {
        row(json!({
            "@odata.etag": "W/\"JzE5OzUxMjE0Nzc3NzkwMzgwODUyMDkxOzAwOyc=\"",
            "id": "5de545bc-f6f9-ef11-9344-6045bdc8c234",
            "number": "20000",
            "displayName": "Trey Research",
            "type": "Person",
            "city": null,
            "balanceDue": 0,
            "rate": null,
            "taxLiable": false,
            "lines": -2,
            "big": 1,
            "postingDate": "2023-12-31",
            "lastModifiedDateTime": "2025-03-05T20:19:22+01:00"
        }))
    }

    pub(in crate::odata) fn row(value: Value) -> Row {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// Which of adatum and trey pass.
    fn passing(text: &str) -> (bool, bool) {
        let expr = parse(text, &customer()).unwrap_or_else(|e| panic!("{text}: {e}"));
        (expr.matches(&adatum()), expr.matches(&trey()))
    }

    fn error(text: &str) -> String {
        match parse(text, &customer()) {
            Ok(expr) => panic!("{text} parsed: {expr:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn comparison_operators_on_every_type() {
        let both = (true, true);
        let adatum_only = (true, false);
        let trey_only = (false, true);
        for (text, expected) in [
            ("number eq '10000'", adatum_only),
            ("number ne '10000'", trey_only),
            ("number gt '10000'", trey_only),
            ("number ge '10000'", both),
            ("number lt '20000'", adatum_only),
            ("number le '20000'", both),
            ("balanceDue gt 1200", adatum_only),
            ("balanceDue eq 1200.5", adatum_only),
            ("balanceDue eq 1200.50m", adatum_only),
            ("balanceDue eq 0", trey_only),
            ("lines lt 0", trey_only),
            ("lines ge -2", both),
            ("big eq 9007199254740993", adatum_only),
            ("big eq 9007199254740992", (false, false)),
            ("rate eq 0.25d", adatum_only),
            ("taxLiable eq true", adatum_only),
            ("taxLiable ne true", trey_only),
            ("taxLiable", adatum_only),
            ("id eq 55e545bc-f6f9-ef11-9344-6045bdc8c234", adatum_only),
            ("id eq 55E545BC-F6F9-EF11-9344-6045BDC8C234", adatum_only),
            ("postingDate ge 2024-01-01", adatum_only),
            ("postingDate lt 2024-1-1", trey_only),
            ("lastModifiedDateTime gt 2025-03-05T19:19:22Z", adatum_only),
            (
                "lastModifiedDateTime eq 2025-03-05T19:19:22.273Z",
                adatum_only,
            ),
            // trey's is 19:19:22 UTC, written with an offset.
            ("lastModifiedDateTime eq 2025-03-05T19:19:22Z", trey_only),
            (
                "lastModifiedDateTime le 2025-03-05T20:19:22+01:00",
                trey_only,
            ),
            ("lastModifiedDateTime lt 2025-03-05T19:20Z", both),
            // A date against a date-time is its UTC midnight.
            ("lastModifiedDateTime gt 2025-03-05", both),
            ("postingDate lt 2024-01-15T00:00:01Z", both),
            ("type eq 'Company'", adatum_only),
            ("type ne 'Company'", trey_only),
            ("type eq Microsoft.NAV.contactType'Person'", trey_only),
            ("12:30:00 eq 12:30", both),
            ("number eq displayName", (false, false)),
        ] {
            assert_eq!(passing(text), expected, "{text}");
        }
    }

    #[test]
    fn strings_compare_ignoring_case_and_escape_quotes() {
        assert_eq!(
            passing("displayName eq 'ADATUM corporation'"),
            (true, false)
        );
        assert_eq!(passing("displayName gt 'b'"), (false, true));
        assert_eq!(passing("contains(displayName,'CORP')"), (true, false));
        assert_eq!(passing("startswith(displayName,'trey')"), (false, true));
        assert_eq!(passing("endswith(displayName,'Research')"), (false, true));
        assert_eq!(
            passing("tolower(displayName) eq 'trey research'"),
            (false, true)
        );
        assert_eq!(passing("toupper(city) eq 'ATLANTA'"), (true, false));
        assert_eq!(
            passing("contains(tolower(displayName),toupper('a'))"),
            (true, true)
        );
        let quoted = parse("displayName eq 'O''Brien'", &customer()).unwrap();
        assert!(quoted.matches(&row(json!({"displayName": "O'Brien"}))));
        assert_eq!(passing("displayName eq ''"), (false, false));
    }

    #[test]
    fn nulls_follow_the_lifted_operator_rules() {
        assert_eq!(passing("city eq null"), (false, true));
        assert_eq!(passing("null eq city"), (false, true));
        assert_eq!(passing("city ne null"), (true, false));
        assert_eq!(passing("city ne 'Atlanta'"), (false, true));
        assert_eq!(passing("city gt 'A'"), (true, false));
        assert_eq!(passing("city lt 'A'"), (false, false));
        assert_eq!(passing("rate ge 0"), (true, false));
        assert_eq!(passing("contains(city,'x')"), (false, false));
        // not(null) stays null, which does not pass.
        assert_eq!(passing("not contains(city,'x')"), (true, false));
        assert_eq!(
            passing("contains(city,'x') or taxLiable eq false"),
            (false, true)
        );
        assert_eq!(passing("null eq null"), (true, true));
        assert_eq!(passing("null"), (false, false));
        assert_eq!(passing("type ne null"), (true, true));
    }

    #[test]
    fn precedence_is_not_then_comparison_then_and_then_or() {
        // or < and: true or (false and false)
        assert_eq!(
            passing("taxLiable or taxLiable and lines lt -5"),
            (true, false)
        );
        assert_eq!(
            passing("(taxLiable or lines lt 0) and lines lt -5"),
            (false, false)
        );
        // `not` binds to the operand, before `eq`: (not taxLiable) eq false.
        assert_eq!(passing("not taxLiable eq false"), (true, false));
        assert_eq!(passing("not (lines eq 3)"), (false, true));
        assert_eq!(passing("not not taxLiable"), (true, false));
        assert_eq!(passing("-lines eq 2"), (false, true));
        assert_eq!(passing("-(lines) gt 0"), (false, true));
        assert_eq!(passing("((number eq '10000'))"), (true, false));
        assert_eq!(
            error("not number eq '10000'"),
            "A unary operator with an incompatible type was detected. Found operand type 'Edm.String' for operator kind 'Not'."
        );
        assert_eq!(
            error("-city eq 'x'"),
            "A unary operator with an incompatible type was detected. Found operand type 'Edm.String' for operator kind 'Negate'."
        );
    }

    #[test]
    fn syntax_errors_name_odl_positions() {
        for (text, message) in [
            ("city eq", "Expression expected at position 7 in 'city eq'."),
            ("", "Expression expected at position 0 in ''."),
            ("city eq 'x' foo", "Syntax error at position 15 in 'city eq 'x' foo'."),
            ("city EQ 'x'", "Syntax error at position 7 in 'city EQ 'x''."),
            ("contains (city,'x')", "Syntax error at position 10 in 'contains (city,'x')'."),
            ("city eq 'abc", "There is an unterminated string literal at position 12 in 'city eq 'abc'."),
            ("city eq 'ab''", "There is an unterminated string literal at position 13 in 'city eq 'ab'''."),
            // The example Dataverse's documentation quotes (filter-rows.md).
            ("lastname eq 'O'Bryan'", "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''."),
            ("city eq #", "Syntax error: character '#' is not valid at position 8 in 'city eq #'."),
            ("city eq @p", "Syntax error: character '@' is not valid at position 8 in 'city eq @p'."),
            ("balanceDue gt 1.", "A digit was expected at position 16 in 'balanceDue gt 1.'."),
            ("balanceDue gt 1e", "A digit was expected at position 16 in 'balanceDue gt 1e'."),
            ("(city eq 'x'", "')' or operator expected at position 12 in '(city eq 'x''."),
            ("contains(city,'x'", "')' or ',' expected at position 17 in 'contains(city,'x''."),
            ("lines/any x", "'(' expected at position 10 in 'lines/any x'."),
            ("lines/any(1: true)", "An identifier was expected at position 10."),
            ("lines/any(l true)", "Syntax error at position 16 in 'lines/any(l true)'."),
            ("lines/any(l: true", "')' or ',' expected at position 17 in 'lines/any(l: true'."),
            ("'a'/b eq 1", "An identifier was expected at position 0."),
            ("city/'a' eq 1", "Syntax error at position 8 in 'city/'a' eq 1'."),
            ("city eq null'x'", "Syntax error at position 12 in 'city eq null'x''."),
            ("city eq x'abc", "There is an unterminated literal at position 13 in 'city eq x'abc'."),
            ("city eq [1,2", "Found an unbalanced bracket expression."),
            ("balanceDue gt - 5", "Unrecognized 'Edm.Int32' literal '- ' at '14' in 'balanceDue gt - 5'."),
            ("city eq duration'P1D'", "Unrecognized 'Edm.Duration' literal 'duration'P1D'' at '8' in 'city eq duration'P1D''."),
            ("city eq x'00'", "Unrecognized 'Edm.String' literal 'x'00'' at '8' in 'city eq x'00''."),
            ("big eq 99999999999999999999L", "Unrecognized 'Edm.Int64' literal '99999999999999999999L' at '7' in 'big eq 99999999999999999999L'."),
            // Positions count UTF-16 code units, as .NET strings do.
            ("city eq '😀", "There is an unterminated string literal at position 11 in 'city eq '😀'."),
        ] {
            assert_eq!(error(text), message, "{text}");
        }
    }

    #[test]
    fn errors_carry_their_position() {
        let e = parse("city eq 'x' foo", &customer()).unwrap_err();
        assert_eq!(e.position, Some(15));
        let e = parse("nope eq 1", &customer()).unwrap_err();
        assert_eq!(e.position, None);
    }

    #[test]
    fn date_time_literals_need_an_offset() {
        let format = "should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.";
        assert_eq!(
            error("lastModifiedDateTime gt 2025-03-05T19:19:22"),
            format!("The DateTimeOffset text '2025-03-05T19:19:22' {format}")
        );
        assert_eq!(
            error("lastModifiedDateTime gt 2025-13-05T19:19:22Z"),
            format!("The DateTimeOffset text '2025-13-05T19:19:22Z' {format}")
        );
        assert!(parse(
            "lastModifiedDateTime gt 2025-03-05T19:19:22.1234567-08:00",
            &customer()
        )
        .is_ok());
        // Not shaped like a date-time: the lexer reads other tokens.
        assert_eq!(
            error("lines eq 2025-03"),
            "Syntax error at position 16 in 'lines eq 2025-03'."
        );
    }

    #[test]
    fn binding_errors_are_odl_texts() {
        for (text, message) in [
            ("nope eq 1", "Could not find a property named 'nope' on type 'Microsoft.NAV.customer'."),
            ("Number eq '1'", "Could not find a property named 'Number' on type 'Microsoft.NAV.customer'."),
            ("city/foo eq 1", "Could not find a property named 'foo' on type 'Edm.String'."),
            ("nope/foo eq 1", "Could not find a property named 'nope' on type 'Microsoft.NAV.customer'."),
            ("salesLines/any(l: l/amount gt 1)", "Could not find a property named 'salesLines' on type 'Microsoft.NAV.customer'."),
            ("lines/all(l: l gt 1)", "Any/All may only be used following a collection."),
            ("lines/any()", "Any/All may only be used following a collection."),
            ("id eq '55e545bc-f6f9-ef11-9344-6045bdc8c234'", "A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator kind 'Equal'."),
            ("city eq 5", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'."),
            ("city ne 2147483648", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int64' for operator kind 'NotEqual'."),
            ("city gt 5.5", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Single' for operator kind 'GreaterThan'."),
            ("city ge 0.1234567891", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Double' for operator kind 'GreaterThanOrEqual'."),
            ("city lt 3258.678765765489753678965390", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Decimal' for operator kind 'LessThan'."),
            ("city le 5m", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Decimal' for operator kind 'LessThanOrEqual'."),
            ("city eq 5L", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int64' for operator kind 'Equal'."),
            ("city eq 5f", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Single' for operator kind 'Equal'."),
            ("city eq 5d", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Double' for operator kind 'Equal'."),
            ("city eq true", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Boolean' for operator kind 'Equal'."),
            ("postingDate eq 12:00", "A binary operator with incompatible types was detected. Found operand types 'Edm.Date' and 'Edm.TimeOfDay' for operator kind 'Equal'."),
            ("rate lt 1m", "A binary operator with incompatible types was detected. Found operand types 'Edm.Double' and 'Edm.Decimal' for operator kind 'LessThan'."),
            ("rate eq balanceDue", "A binary operator with incompatible types was detected. Found operand types 'Edm.Double' and 'Edm.Decimal' for operator kind 'Equal'."),
            ("type gt 'Company'", "A binary operator with incompatible types was detected. Found operand types 'Microsoft.NAV.contactType' and 'Edm.String' for operator kind 'GreaterThan'."),
            ("type gt null", "A binary operator with incompatible types was detected. Found operand types 'Microsoft.NAV.contactType' and '<null>' for operator kind 'GreaterThan'."),
            ("type eq true", "A binary operator with incompatible types was detected. Found operand types 'Microsoft.NAV.contactType' and 'Edm.Boolean' for operator kind 'Equal'."),
            ("city and taxLiable", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Boolean' for operator kind 'And'."),
            ("taxLiable or taxLiable or lines", "A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and 'Edm.Int32' for operator kind 'Or'."),
            ("city", "The $filter expression must evaluate to a single boolean value."),
            ("tolower(city)", "The $filter expression must evaluate to a single boolean value."),
            ("length(city) eq 3", "An unknown function with name 'length' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
            ("Contains(city,'a')", "An unknown function with name 'Contains' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
            ("Microsoft.Dynamics.CRM.Today(PropertyName='createdon')", "An unknown function with name 'Microsoft.Dynamics.CRM.Today' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
            ("Microsoft.Dynamics.CRM.In(PropertyName='city',PropertyValues=[\"a\",\"b\"])", "An unknown function with name 'Microsoft.Dynamics.CRM.In' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
            ("contains(balanceDue,'1')", "No function signature for the function with name 'contains' matches the specified arguments. The function signatures considered are: contains(Edm.String Nullable=true, Edm.String Nullable=true)."),
            ("startswith(city)", "No function signature for the function with name 'startswith' matches the specified arguments. The function signatures considered are: startswith(Edm.String Nullable=true, Edm.String Nullable=true)."),
            ("tolower(city,'x') eq 'a'", "No function signature for the function with name 'tolower' matches the specified arguments. The function signatures considered are: tolower(Edm.String Nullable=true)."),
            ("endswith()", "No function signature for the function with name 'endswith' matches the specified arguments. The function signatures considered are: endswith(Edm.String Nullable=true, Edm.String Nullable=true)."),
            ("contains(null)", "Cannot find a suitable overload for function 'contains' that takes '1' arguments."),
            ("type eq Microsoft.NAV.blocked'All'", "The string 'Microsoft.NAV.blocked'All'' is not a valid enumeration type constant."),
            ("Microsoft.NAV.customer", "The child type 'Microsoft.NAV.customer' in a cast was not an entity type. Casts can only be performed on entity types."),
            ("*", "An unsupported query token kind 'Star' was found."),
        ] {
            assert_eq!(error(text), message, "{text}");
        }
    }

    #[test]
    fn null_arguments_bind_to_any_signature() {
        assert_eq!(passing("contains(null,null)"), (false, false));
        assert_eq!(passing("startswith(city,null)"), (false, false));
        assert_eq!(passing("city eq tolower(null)"), (false, true));
    }

    #[test]
    fn numbers_compare_across_types() {
        assert_eq!(passing("lines eq 3.0"), (true, false));
        assert_eq!(passing("balanceDue gt 1200.49999"), (true, false));
        assert_eq!(passing("big gt lines"), (true, true));
        assert_eq!(passing("rate lt 1"), (true, false));
        assert_eq!(passing("lines eq -2L"), (false, true));
    }

    #[test]
    fn the_tree_stays_shallow_and_deep_nesting_is_refused() {
        let long_or = vec!["number eq 'x'"; 5000].join(" or ") + " or number eq '10000'";
        assert_eq!(passing(&long_or), (true, false));
        let nested = format!("{}taxLiable{}", "(".repeat(1000), ")".repeat(1000));
        assert_eq!(error(&nested), "Recursion depth exceeded allowed limit.");
        let nots = format!("{}taxLiable", "not ".repeat(1000));
        assert_eq!(error(&nots), "Recursion depth exceeded allowed limit.");
        let chained = format!("taxLiable{}", " eq true".repeat(1000));
        assert_eq!(error(&chained), "Recursion depth exceeded allowed limit.");
        assert_eq!(
            passing(&format!("{}taxLiable{}", "(".repeat(50), ")".repeat(50))),
            (true, false)
        );
    }

    #[test]
    fn unsuffixed_numbers_get_odl_best_guess_types() {
        let kind = |text: &str| Lexer::new(text, true).unwrap().kind();
        assert_eq!(kind("2147483647"), Kind::Int32);
        assert_eq!(kind("-2147483648"), Kind::Int32);
        assert_eq!(kind("2147483648"), Kind::Int64);
        assert_eq!(kind("99999999999999999999"), Kind::Decimal);
        assert_eq!(kind("1.5"), Kind::Single);
        assert_eq!(kind("12.3"), Kind::Single);
        assert_eq!(kind("1.10"), Kind::Single);
        assert_eq!(kind("0.1234567891"), Kind::Double);
        assert_eq!(kind("1e5"), Kind::Single);
        assert_eq!(kind("1e39"), Kind::Double);
        assert_eq!(kind("2024-02-29"), Kind::Date);
        assert_eq!(kind("2023-02-29"), Kind::Int32);
        assert_eq!(kind("12:30:15.1234567"), Kind::TimeOfDay);
        assert_eq!(kind("24:00"), Kind::Int32);
        assert_eq!(kind("55e545bc-f6f9-ef11-9344-6045bdc8c234"), Kind::Guid);
        assert_eq!(kind("e545bc00-f6f9-ef11-9344-6045bdc8c234"), Kind::Guid);
        assert_eq!(kind("-5"), Kind::Int32);
        assert_eq!(kind("- 5"), Kind::Minus);
    }

    /// Fragments that make up plausible and implausible filters.
    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "city",
            "lines",
            "id",
            "type",
            "postingDate",
            "lastModifiedDateTime",
            "taxLiable",
            " ",
            "eq",
            "ne",
            "gt",
            "and",
            "or",
            "not",
            "(",
            ")",
            ",",
            "/",
            ".",
            "'",
            "'x'",
            "''",
            "-",
            "1",
            "1.5",
            "5m",
            "null",
            "true",
            "2024-01-01",
            "2025-03-05T19:19:22Z",
            "55e545bc-f6f9-ef11-9344-6045bdc8c234",
            "12:30",
            "contains(",
            "tolower(",
            "any(",
            "x:",
            "Microsoft.NAV.contactType'Company'",
            "[",
            "]",
            "{",
            "}",
            "\"",
            "@",
            "*",
            "😀",
            "=",
            ";",
            "duration'P1D'",
            "e",
            "L",
        ])
    }

    proptest! {
        #[test]
        fn parsing_and_matching_never_panic(fragments in prop::collection::vec(fragment(), 0..24)) {
            let text = fragments.concat();
            if let Ok(expr) = parse(&text, &customer()) {
                expr.matches(&adatum());
                expr.matches(&trey());
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
            let _ = parse(&text, &customer());
        }
    }
}
