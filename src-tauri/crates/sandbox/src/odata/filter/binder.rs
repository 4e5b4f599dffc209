//! The `$filter` binder, a port of ODL's `Binders/MetadataBinder.cs` and
//! `TypePromotionUtils.cs`: checks names and types against the entity
//! type, so evaluation cannot fail.

use super::eval::Val;
use super::parser::{unquote, CmpOp, Syntax};
use super::Expr;
use crate::odata::query_error::QueryError;
use crate::odata::{EdmType, EntityType};

/// The type of a bound expression, named in messages as ODL names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::odata) enum Ty {
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

    pub(super) fn name(&self) -> String {
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

    pub(super) fn is_boolean(&self) -> bool {
        matches!(self, Ty::Boolean | Ty::Null)
    }
}

/// How a property type is named in messages (`Edm.String`,
/// `Microsoft.NAV.contactType`).
pub(in crate::odata) fn type_name(ty: &EdmType, namespace: &str) -> String {
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
pub(super) enum TextFn {
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
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Literal(Val),
    Property { name: String, ty: EdmType },
    Not(Box<Node>),
    Negate(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Compare(CmpOp, Box<Node>, Box<Node>),
    Text(TextFn, Vec<Node>),
}

/// ODL's `MetadataBinder` over a syntax tree.
pub(in crate::odata) fn bind(syntax: &Syntax, entity: &EntityType) -> Result<Expr, QueryError> {
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
