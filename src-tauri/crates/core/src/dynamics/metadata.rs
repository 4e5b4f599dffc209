//! CSDL `$metadata` (OData 4.0, as BC and F&O serve it) read into the
//! catalog. F&O's document is ~30 MB with ~5,000 entity sets and ~400,000
//! properties (docs/microsoft.md §6). Reading it lists the entity sets with
//! their keys and notes where each entity type's body lies; an entity set's
//! properties are read from there when it is shown (`Declarations::columns`),
//! so the list is ready after one pass that looks at few attributes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::dynamics::catalog::{
    Catalog, CatalogError, Column, ColumnKind, EntitySet, EntitySource, EnumMember, EnumType,
};
use crate::dynamics::label;

/// Reads the whole `$metadata` document. The catalog keeps it (shared, not
/// copied) to read columns from later.
pub fn parse(document: impl Into<Bytes>) -> Result<Catalog, CatalogError> {
    let document: Bytes = document.into();
    let mut reader = Reader::from_reader(&document[..]);
    // Indentation between elements is all the text CSDL has; skip it.
    reader.config_mut().trim_text(true);
    let mut doc = Document::default();
    loop {
        let before = offset(reader.buffer_position());
        let event = reader
            .read_event()
            .map_err(|e| xml_error(reader.error_position(), e))?;
        let after = offset(reader.buffer_position());
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if !doc.rooted {
                    doc.check_root(e)?;
                }
                let name = e.local_name();
                // Nearly all of F&O's elements: read when their set is shown.
                if name.as_ref() == "Property" {
                    continue;
                }
                doc.open(name.as_ref(), e, after)
                    .map_err(|err| xml_error(reader.buffer_position(), err))?;
                if matches!(event, Event::Empty(_)) {
                    doc.close(name.as_ref(), after);
                }
            }
            Event::End(ref e) => doc.close(e.local_name().as_ref(), before),
            Event::Eof => break,
            _ => {}
        }
    }
    if !doc.rooted {
        return Err(CatalogError::NotMetadata {
            root: String::new(),
        });
    }
    if !doc.closed {
        // A download cut short can still be well-formed up to where it ends.
        return Err(CatalogError::Xml {
            position: reader.buffer_position(),
            cause: "the document ends before </edmx:Edmx>".into(),
        });
    }
    Ok(doc.finish(document))
}

/// A reader position as an index into the document it reads (positions
/// never exceed the document's length, which is a `usize`).
fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn xml_error(position: u64, error: quick_xml::Error) -> CatalogError {
    CatalogError::Xml {
        position,
        cause: error.to_string(),
    }
}

/// An entity type as declared, before its base type is merged in.
#[derive(Debug, Clone, Default)]
struct DeclaredType {
    base: Option<String>,
    /// `None` when the type inherits its key.
    keys: Option<Vec<String>>,
    /// Where its child elements lie in the document.
    body: Range<usize>,
}

/// The types of a `$metadata` document, and the document itself to read
/// their properties from.
#[derive(Debug, Default)]
pub struct Declarations {
    document: Bytes,
    /// Schema `Alias` → `Namespace`.
    aliases: HashMap<String, String>,
    types: HashMap<String, DeclaredType>,
    enums: HashMap<String, Arc<EnumType>>,
}

/// The element whose children are being read.
#[derive(Debug, Default)]
enum Open {
    #[default]
    Nothing,
    EntityType {
        name: String,
        ty: DeclaredType,
        in_key: bool,
    },
    EnumType(EnumType),
    Container,
}

#[derive(Debug, Default)]
struct Document {
    rooted: bool,
    closed: bool,
    namespace: String,
    declared: Declarations,
    /// Entity set name and entity type, in container order.
    sets: Vec<(String, String)>,
    open: Open,
}

impl Document {
    /// Fails on the first element when the answer is something else, such
    /// as a proxy's HTML page, without reading the rest.
    fn check_root(&mut self, e: &BytesStart) -> Result<(), CatalogError> {
        let root = e.local_name();
        if root.as_ref() != "Edmx" {
            return Err(CatalogError::NotMetadata {
                root: e.name().as_ref().to_string(),
            });
        }
        self.rooted = true;
        Ok(())
    }

    /// `after` is where the element's start tag ends.
    fn open(
        &mut self,
        local_name: &str,
        e: &BytesStart,
        after: usize,
    ) -> Result<(), quick_xml::Error> {
        match (local_name, &mut self.open) {
            ("Schema", _) => {
                let [namespace, alias] = attributes(e, ["Namespace", "Alias"])?;
                self.namespace = namespace.unwrap_or_default().into_owned();
                if let Some(alias) = alias {
                    self.declared
                        .aliases
                        .insert(alias.into_owned(), self.namespace.clone());
                }
            }
            ("EntityType", _) => {
                if let [Some(name), base] = attributes(e, ["Name", "BaseType"])? {
                    self.open = Open::EntityType {
                        name: format!("{}.{name}", self.namespace),
                        ty: DeclaredType {
                            base: base.map(Cow::into_owned),
                            keys: None,
                            body: after..after,
                        },
                        in_key: false,
                    };
                }
            }
            ("Key", Open::EntityType { ty, in_key, .. }) => {
                *in_key = true;
                ty.keys = Some(vec![]);
            }
            (
                "PropertyRef",
                Open::EntityType {
                    ty, in_key: true, ..
                },
            ) => {
                if let ([Some(name)], Some(keys)) = (attributes(e, ["Name"])?, &mut ty.keys) {
                    keys.push(name.into_owned());
                }
            }
            ("EnumType", _) => {
                if let [Some(name)] = attributes(e, ["Name"])? {
                    self.open = Open::EnumType(EnumType {
                        name: format!("{}.{name}", self.namespace),
                        members: vec![],
                    });
                }
            }
            ("Member", Open::EnumType(enum_type)) => {
                if let [Some(name), value] = attributes(e, ["Name", "Value"])? {
                    // Without Value, members count from zero (CSDL 4.0 §10.2.2).
                    let ordinal = enum_type.members.len() as i64;
                    enum_type.members.push(EnumMember {
                        label: label::decode_xml_name(&name).trim().to_string(),
                        name: name.into_owned(),
                        value: value.and_then(|v| v.parse().ok()).unwrap_or(ordinal),
                    });
                }
            }
            ("EntityContainer", _) => self.open = Open::Container,
            ("EntitySet", Open::Container) => {
                if let [Some(name), Some(ty)] = attributes(e, ["Name", "EntityType"])? {
                    self.sets.push((name.into_owned(), ty.into_owned()));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `at` is where the element's end tag starts. Called for every
    /// element, so the open element is only moved when it is the one
    /// that ends.
    fn close(&mut self, local_name: &str, at: usize) {
        self.closed |= local_name == "Edmx";
        let ends_open = match (local_name, &mut self.open) {
            ("Key", Open::EntityType { in_key, .. }) => {
                *in_key = false;
                false
            }
            ("EntityType", Open::EntityType { .. })
            | ("EnumType", Open::EnumType(_))
            | ("EntityContainer", Open::Container) => true,
            _ => false,
        };
        if !ends_open {
            return;
        }
        match std::mem::take(&mut self.open) {
            Open::EntityType { name, mut ty, .. } => {
                ty.body.end = at.max(ty.body.start);
                self.declared.types.insert(name, ty);
            }
            Open::EnumType(enum_type) => {
                self.declared
                    .enums
                    .insert(enum_type.name.clone(), Arc::new(enum_type));
            }
            Open::Container | Open::Nothing => {}
        }
    }

    /// Resolves each set's type and key now that every schema has been read.
    fn finish(self, document: Bytes) -> Catalog {
        let declared = Declarations {
            document,
            ..self.declared
        };
        let entity_sets = self
            .sets
            .into_iter()
            .map(|(name, ty)| {
                let entity_type = declared.qualified(&ty).into_owned();
                EntitySet {
                    label: label::from_name(&name),
                    keys: declared.keys(&entity_type),
                    name,
                    entity_type,
                    primary_name: None,
                    source: EntitySource::Api,
                }
            })
            .collect();
        Catalog {
            entity_sets,
            declarations: vec![(EntitySource::Api, Arc::new(declared))],
        }
    }
}

impl Declarations {
    /// The key of `entity_type`: the most derived declaration wins.
    fn keys(&self, entity_type: &str) -> Vec<String> {
        self.lineage(entity_type)
            .iter()
            .find_map(|ty| self.types.get(ty)?.keys.clone())
            .unwrap_or_default()
    }

    /// The columns of `set`'s entity type, its base's first as the service
    /// orders them in rows, labelled, with the set's keys marked and enums
    /// resolved. A type the document does not declare has none: its rows
    /// can still be read.
    pub fn columns(&self, set: &EntitySet) -> Result<Vec<Column>, CatalogError> {
        let mut columns = vec![];
        for ty in self.lineage(&set.entity_type).iter().rev() {
            if let Some(declared) = self.types.get(ty) {
                self.read_properties(declared.body.clone(), &mut columns)?;
            }
        }
        for column in &mut columns {
            column.key = set.keys.contains(&column.name);
            if let ColumnKind::Other(ty) = &column.kind {
                if let Some(enum_type) = self.enums.get(self.qualified(ty).as_ref()) {
                    column.kind = ColumnKind::Enum(Arc::clone(enum_type));
                }
            }
        }
        Ok(columns)
    }

    /// The `<Property>` children of the entity type whose body is `body`.
    fn read_properties(
        &self,
        body: Range<usize>,
        columns: &mut Vec<Column>,
    ) -> Result<(), CatalogError> {
        let start = body.start as u64;
        let mut reader = Reader::from_reader(self.document.get(body).unwrap_or_default());
        let mut depth = 0usize;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| xml_error(start + reader.error_position(), e))?;
            let property = match &event {
                Event::Start(e) | Event::Empty(e) => {
                    (depth == 0 && e.local_name().as_ref() == "Property").then_some(e)
                }
                _ => None,
            };
            if let Some(e) = property {
                columns.extend(
                    column(e).map_err(|err| xml_error(start + reader.buffer_position(), err))?,
                );
            }
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    /// `ty`, its base, its base's base…; a cycle (invalid CSDL) ends it.
    fn lineage(&self, ty: &str) -> Vec<String> {
        let mut chain = vec![ty.to_string()];
        while let Some(base) = chain
            .last()
            .and_then(|t| self.types.get(t))
            .and_then(|t| t.base.as_deref())
        {
            let base = self.qualified(base).into_owned();
            if chain.contains(&base) {
                break;
            }
            chain.push(base);
        }
        chain
    }

    /// `NAV.customer` → `Microsoft.NAV.customer` when a schema has the
    /// alias `NAV`.
    fn qualified<'a>(&self, name: &'a str) -> Cow<'a, str> {
        let alias = name
            .rsplit_once('.')
            .and_then(|(prefix, local)| Some((self.aliases.get(prefix)?, local)));
        match alias {
            Some((namespace, local)) => Cow::Owned(format!("{namespace}.{local}")),
            None => Cow::Borrowed(name),
        }
    }
}

/// The values of the attributes called `names`, borrowed unless escaped.
fn attributes<'a, const N: usize>(
    e: &'a BytesStart,
    names: [&str; N],
) -> Result<[Option<Cow<'a, str>>; N], quick_xml::Error> {
    let mut values = [const { None }; N];
    for attribute in e.attributes() {
        let attribute = attribute?;
        let key = attribute.key.local_name();
        if let Some(i) = names.iter().position(|n| *n == key.as_ref()) {
            values[i] = Some(attribute.normalized_value(XmlVersion::Implicit1_0)?);
        }
    }
    Ok(values)
}

fn column(e: &BytesStart) -> Result<Option<Column>, quick_xml::Error> {
    let [name, ty, nullable, max_length, precision, scale] = attributes(
        e,
        [
            "Name",
            "Type",
            "Nullable",
            "MaxLength",
            "Precision",
            "Scale",
        ],
    )?;
    // `MaxLength="max"` and `Scale="Variable"` are no numbers to show.
    let number = |v: Option<Cow<str>>| v.and_then(|v| v.parse().ok());
    Ok(name.map(|name| Column {
        label: label::from_name(&name),
        name: name.into_owned(),
        kind: edm_kind(ty.as_deref().unwrap_or_default()),
        nullable: nullable.as_deref() != Some("false"),
        key: false,
        max_length: number(max_length),
        precision: number(precision),
        scale: number(scale),
    }))
}

/// The Edm primitive types (CSDL 4.0 §4.4); anything else is the name of a
/// type declared in the document, resolved in `finish`.
fn edm_kind(ty: &str) -> ColumnKind {
    match ty {
        "Edm.String" => ColumnKind::Text,
        "Edm.Int16" | "Edm.Int32" | "Edm.Int64" | "Edm.Byte" | "Edm.SByte" => ColumnKind::Integer,
        "Edm.Decimal" | "Edm.Double" | "Edm.Single" => ColumnKind::Decimal,
        "Edm.Boolean" => ColumnKind::Boolean,
        "Edm.Date" => ColumnKind::Date,
        "Edm.DateTimeOffset" => ColumnKind::DateTime,
        "Edm.TimeOfDay" => ColumnKind::Time,
        "Edm.Guid" => ColumnKind::Guid,
        "Edm.Binary" | "Edm.Stream" => ColumnKind::Binary,
        other => ColumnKind::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests;
