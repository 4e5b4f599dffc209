//! The `$filter` evaluator: runs a bound expression over a row, with
//! MS-ODATA's rules for nulls and the order the services' SQL Server gives
//! values.

use std::cmp::Ordering;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use super::binder::{Node, TextFn};
use super::literal::{parse_date, parse_guid};
use super::parser::CmpOp;
use crate::odata::{EdmType, Row};

/// A value in an expression: a row's property, a literal or a result.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::odata) enum Val {
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
pub(in crate::odata) fn compare(a: &Val, b: &Val) -> Option<Ordering> {
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
    pub(super) fn eval(&self, row: &Row) -> Val {
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

impl CmpOp {
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

impl TextFn {
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
