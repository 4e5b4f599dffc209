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
//!
//! Files: `lexer.rs`, `literal.rs` (the literal forms the lexer, parser and
//! evaluator share), `parser.rs`, `binder.rs`, `eval.rs`; this one holds
//! the bound expression and the whole `$filter` read.

mod binder;
mod eval;
mod lexer;
mod literal;
mod parser;
#[cfg(test)]
pub(super) mod tests;

use self::binder::{Node, Ty};
use super::query_error::QueryError;
use super::{EntityType, Row};

pub(super) use self::binder::{bind, type_name};
pub(super) use self::eval::{compare, Val};
pub(super) use self::lexer::{Kind, Lexer};
pub(super) use self::parser::Parser;

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

    pub(in crate::odata) fn value(&self, row: &Row) -> Val {
        self.node.eval(row)
    }

    /// The property when the expression is just one.
    pub(in crate::odata) fn property(&self) -> Option<&str> {
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
    parser.lexer().expect(Kind::End)?;
    let expr = bind(&syntax, entity)?;
    if !expr.ty.is_boolean() {
        return Err(QueryError::filter_not_boolean());
    }
    Ok(expr)
}
