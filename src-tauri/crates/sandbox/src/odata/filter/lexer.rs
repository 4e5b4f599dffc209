//! The `$filter` lexer, a port of ODL's `ExpressionLexer.cs`: the tokens
//! of the expression language (also read by `$orderby` and `$select`),
//! with ODL's lexical errors and positions.

use super::literal::{parse_date, parse_date_time, parse_guid, parse_time, DECIMAL_MAX};
use crate::odata::query_error::QueryError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::odata) enum Kind {
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
    pub(super) fn is_numeric(self) -> bool {
        matches!(
            self,
            Kind::Int32 | Kind::Int64 | Kind::Decimal | Kind::Double | Kind::Single
        )
    }
}

/// A token: its kind and where it is, in chars of the expression.
#[derive(Debug, Clone, Copy)]
pub(in crate::odata) struct Token {
    pub(in crate::odata) kind: Kind,
    pub(super) start: usize,
    end: usize,
}

/// ODL's `ExpressionLexer`: always positioned on a current token; reading
/// the next one is where lexical errors surface, as in ODL.
pub(in crate::odata) struct Lexer {
    pub(super) text: String,
    chars: Vec<char>,
    pos: usize,
    pub(super) token: Token,
    pub(super) previous_end: usize,
    ignore_whitespace: bool,
    semicolon_delimits: bool,
}

impl Lexer {
    /// A lexer on the first token of `text`. `;` is a token in `$filter`
    /// and `$orderby`, an invalid character in `$select` (as in ODL).
    pub(in crate::odata) fn new(text: &str, semicolon_delimits: bool) -> Result<Lexer, QueryError> {
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

    pub(in crate::odata) fn token(&self) -> Token {
        self.token
    }

    pub(in crate::odata) fn kind(&self) -> Kind {
        self.token.kind
    }

    pub(in crate::odata) fn text_of(&self, token: Token) -> String {
        self.slice(token.start, token.end)
    }

    /// ODL's `IdentifierIs`: keywords are case-sensitive.
    pub(in crate::odata) fn is_identifier(&self, word: &str) -> bool {
        self.token.kind == Kind::Identifier && self.text_of(self.token) == word
    }

    pub(in crate::odata) fn next_token(&mut self) -> Result<Token, QueryError> {
        let token = self.lex()?;
        self.previous_end = self.token.end;
        self.token = token;
        Ok(token)
    }

    pub(in crate::odata) fn peek(&mut self) -> Result<Token, QueryError> {
        let pos = self.pos;
        let token = self.lex();
        self.pos = pos;
        token
    }

    /// ODL's `ValidateToken`.
    pub(in crate::odata) fn expect(&self, kind: Kind) -> Result<(), QueryError> {
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
    pub(in crate::odata) fn position_of(&self, token: Token) -> usize {
        self.utf16(token.start)
    }

    /// ODL's `ExpandIdentifierAsFunction`: is the (possibly dotted)
    /// identifier directly followed by `(`? If so the current token becomes
    /// the whole name; if not nothing moves.
    pub(super) fn function_name(&mut self) -> Result<bool, QueryError> {
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
    pub(in crate::odata) fn dotted_identifier(&mut self) -> Result<String, QueryError> {
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
    pub(super) fn merge_minus(&mut self, minus: Token) {
        let length = self.token.end - self.token.start;
        self.token = Token {
            kind: self.token.kind,
            start: minus.start,
            end: minus.start + 1 + length,
        };
    }

    pub(super) fn slice(&self, start: usize, end: usize) -> String {
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
