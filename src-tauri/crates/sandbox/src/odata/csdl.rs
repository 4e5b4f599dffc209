//! The entity model as text: a compact declaration format for the types
//! the sandbox serves, and the CSDL `$metadata` document written from it.
//!
//! Declaration format, one type per paragraph:
//! ```text
//! customer customers          <- type name, entity set name
//!     id:Guid! number:String type:@contactType
//! ---
//! contactType Company=0 Person=1
//! ```
//! `!` marks `Nullable="false"`, `@name` an enum of the namespace; the key
//! is the first property unless the type line names it (`CustomerV3
//! CustomersV3 dataAreaId,CustomerAccount`). Enum types follow `---`.

use std::fmt::Write;

use super::{EdmType, EntityType, EnumType, Property};

pub struct Model {
    pub namespace: String,
    pub types: Vec<EntityType>,
    pub enums: Vec<EnumType>,
}

impl Model {
    pub fn parse(namespace: &str, text: &str) -> Result<Model, String> {
        let (types_text, enums_text) = text.split_once("\n---\n").unwrap_or((text, ""));
        let mut types = Vec::new();
        let mut current: Option<EntityType> = None;
        for line in types_text.lines().filter(|l| !l.trim().is_empty()) {
            if line.starts_with(char::is_whitespace) {
                let entity = current
                    .as_mut()
                    .ok_or_else(|| format!("properties before a type: {line}"))?;
                for decl in line.split_whitespace() {
                    entity.properties.push(property(decl)?);
                }
            } else {
                let mut words = line.split_whitespace();
                let (Some(name), Some(set)) = (words.next(), words.next()) else {
                    return Err(format!("expected `type set [key,…]`: {line}"));
                };
                types.extend(current.take());
                current = Some(EntityType {
                    namespace: namespace.into(),
                    name: name.into(),
                    set_name: set.into(),
                    key: words
                        .next()
                        .map(|k| k.split(',').map(str::to_string).collect())
                        .unwrap_or_default(),
                    properties: vec![],
                });
            }
        }
        types.extend(current);
        for entity in &mut types {
            let first = entity
                .properties
                .first()
                .ok_or_else(|| format!("{} has no properties", entity.name))?;
            if entity.key.is_empty() {
                entity.key = vec![first.name.clone()];
            }
            if let Some(k) = entity.key.iter().find(|k| entity.property(k).is_none()) {
                return Err(format!("{}: key {k} is not a property", entity.name));
            }
        }
        let enums = enums_text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(enum_type)
            .collect::<Result<_, _>>()?;
        Ok(Model {
            namespace: namespace.into(),
            types,
            enums,
        })
    }

    pub fn entity_by_set(&self, set: &str) -> Option<&EntityType> {
        self.types.iter().find(|t| t.set_name == set)
    }

    /// The `$metadata` document: EDMX 4.0 with one schema and one
    /// container, the structure of fixtures/bc/rebelpl_metadata.xml.
    pub fn metadata_xml(&self, container: &str) -> String {
        self.metadata_xml_with(container, &[])
    }

    /// The document with `extra` entity types that have no rows (F&O's
    /// thousands of entities).
    pub fn metadata_xml_with(&self, container: &str, extra: &[EntityType]) -> String {
        let ns = &self.namespace;
        let types = || self.types.iter().chain(extra);
        let mut xml = String::with_capacity(256 + (self.types.len() + extra.len()) * 2048);
        xml.push_str(concat!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
            "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n",
            "  <edmx:DataServices>\n"
        ));
        let _ = writeln!(
            xml,
            "    <Schema Namespace=\"{ns}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
        );
        for e in &self.enums {
            let _ = writeln!(xml, "      <EnumType Name=\"{}\">", e.name);
            for (name, value) in &e.members {
                let _ = writeln!(xml, "        <Member Name=\"{name}\" Value=\"{value}\" />");
            }
            xml.push_str("      </EnumType>\n");
        }
        for t in types() {
            let _ = writeln!(xml, "      <EntityType Name=\"{}\">", t.name);
            xml.push_str("        <Key>\n");
            for k in &t.key {
                let _ = writeln!(xml, "          <PropertyRef Name=\"{k}\" />");
            }
            xml.push_str("        </Key>\n");
            for p in &t.properties {
                let nullable = if p.nullable {
                    ""
                } else {
                    " Nullable=\"false\""
                };
                let _ = writeln!(
                    xml,
                    "        <Property Name=\"{}\" Type=\"{}\"{nullable} />",
                    p.name,
                    type_name(ns, &p.ty)
                );
            }
            xml.push_str("      </EntityType>\n");
        }
        let _ = writeln!(xml, "      <EntityContainer Name=\"{container}\">");
        for t in types() {
            let _ = writeln!(
                xml,
                "        <EntitySet Name=\"{}\" EntityType=\"{ns}.{}\" />",
                t.set_name, t.name
            );
        }
        xml.push_str(
            "      </EntityContainer>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n",
        );
        xml
    }
}

fn property(decl: &str) -> Result<Property, String> {
    let (name, ty) = decl
        .split_once(':')
        .ok_or_else(|| format!("expected `name:Type`: {decl}"))?;
    let (ty, nullable) = match ty.strip_suffix('!') {
        Some(t) => (t, false),
        None => (ty, true),
    };
    let ty = match ty {
        "String" => EdmType::String,
        "Guid" => EdmType::Guid,
        "Boolean" => EdmType::Boolean,
        "Int32" => EdmType::Int32,
        "Int64" => EdmType::Int64,
        "Decimal" => EdmType::Decimal,
        "Double" => EdmType::Double,
        "Date" => EdmType::Date,
        "DateTimeOffset" => EdmType::DateTimeOffset,
        other => match other.strip_prefix('@') {
            Some(e) => EdmType::Enum(e.into()),
            None => return Err(format!("unknown type {other} in {decl}")),
        },
    };
    Ok(Property {
        name: name.into(),
        ty,
        nullable,
    })
}

fn enum_type(line: &str) -> Result<EnumType, String> {
    let mut words = line.split_whitespace();
    let name = words.next().ok_or("empty enum line")?;
    let members = words
        .map(|m| {
            let (n, v) = m.split_once('=').ok_or_else(|| format!("bad member {m}"))?;
            Ok((
                n.to_string(),
                v.parse().map_err(|_| format!("bad value {m}"))?,
            ))
        })
        .collect::<Result<_, String>>()?;
    Ok(EnumType {
        name: name.into(),
        members,
    })
}

fn type_name(namespace: &str, ty: &EdmType) -> String {
    match ty {
        EdmType::Enum(name) => format!("{namespace}.{name}"),
        other => format!("Edm.{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "customer customers\n    id:Guid! name:String\n    type:@kind\n---\nkind A=0 B=1\n";

    #[test]
    fn declarations_parse_into_types_and_enums() {
        let model = Model::parse("Microsoft.NAV", TEXT).unwrap();
        let customer = model.entity_by_set("customers").unwrap();
        assert_eq!(customer.key, vec!["id"]);
        assert_eq!(customer.properties.len(), 3);
        assert!(!customer.properties[0].nullable);
        assert_eq!(customer.properties[2].ty, EdmType::Enum("kind".into()));
        assert_eq!(
            model.enums[0].members,
            vec![("A".into(), 0), ("B".into(), 1)]
        );
    }

    #[test]
    fn bad_declarations_are_errors() {
        assert!(Model::parse("N", "t ts\n    id:Nope").is_err());
        assert!(Model::parse("N", "    id:Guid").is_err());
        assert!(Model::parse("N", "t ts\n").is_err());
        assert!(Model::parse("N", "t ts nope\n    id:Guid").is_err());
        let keyed = Model::parse("N", "t ts a,b\n    a:String b:String").unwrap();
        assert_eq!(keyed.types[0].key, vec!["a", "b"]);
    }

    #[test]
    fn metadata_names_types_with_the_namespace() {
        let xml = Model::parse("Microsoft.NAV", TEXT)
            .unwrap()
            .metadata_xml("NAV");
        assert!(xml.contains("<Property Name=\"id\" Type=\"Edm.Guid\" Nullable=\"false\" />"));
        assert!(xml.contains("Type=\"Microsoft.NAV.kind\""));
        assert!(
            xml.contains("<EntitySet Name=\"customers\" EntityType=\"Microsoft.NAV.customer\" />")
        );
    }
}
