//! CSDL `$metadata` (OData 4.0, as BC and F&O serve it) read as a stream
//! into the catalog. F&O's document is ~30 MB with ~5,000 entity sets
//! (microsoft-facts.md §6), so there is no DOM: each element is looked at
//! once and only what the catalog shows is kept.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::dynamics::catalog::{
    Catalog, CatalogError, Column, ColumnKind, EntitySet, EnumMember, EnumType,
};
use crate::dynamics::label;

/// Reads `$metadata` from a stream (a response body, a file) or from bytes:
/// `&[u8]` is a `BufRead` too.
pub fn parse(input: impl BufRead) -> Result<Catalog, CatalogError> {
    let mut reader = Reader::from_reader(input);
    // Indentation between elements is all the text CSDL has; skip it.
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut doc = Document::default();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| read_error(reader.error_position(), e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                doc.check_root(e)?;
                doc.open(e)
                    .map_err(|err| read_error(reader.buffer_position(), err))?;
                if matches!(event, Event::Empty(_)) {
                    doc.close(e.local_name().as_ref());
                }
            }
            Event::End(ref e) => doc.close(e.local_name().as_ref()),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
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
    Ok(doc.finish())
}

fn read_error(position: u64, error: quick_xml::Error) -> CatalogError {
    match error {
        quick_xml::Error::Io(cause) => CatalogError::Interrupted {
            position,
            cause: cause.to_string(),
        },
        other => CatalogError::Xml {
            position,
            cause: other.to_string(),
        },
    }
}

/// An entity type as declared, before its base type is merged in.
#[derive(Debug, Clone, Default)]
struct RawType {
    base: Option<String>,
    /// `None` when the type inherits its key.
    keys: Option<Vec<String>>,
    /// Enum and other non-Edm types stay `Other(name)` until every schema
    /// has been read: a type may be used before it is declared.
    columns: Vec<Column>,
    navigation: Vec<String>,
}

/// The element whose children are being read.
#[derive(Debug, Default)]
enum Open {
    #[default]
    Nothing,
    EntityType {
        name: String,
        ty: RawType,
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
    /// Schema `Alias` → `Namespace`.
    aliases: HashMap<String, String>,
    types: HashMap<String, RawType>,
    enums: HashMap<String, Arc<EnumType>>,
    /// Entity set name and entity type, in container order.
    sets: Vec<(String, String)>,
    open: Open,
}

impl Document {
    /// Fails on the first element when the answer is something else, such
    /// as a proxy's HTML page, without reading the rest.
    fn check_root(&mut self, e: &BytesStart) -> Result<(), CatalogError> {
        if self.rooted {
            return Ok(());
        }
        let root = e.local_name();
        if root.as_ref() != "Edmx" {
            return Err(CatalogError::NotMetadata {
                root: e.name().as_ref().to_string(),
            });
        }
        self.rooted = true;
        Ok(())
    }

    fn open(&mut self, e: &BytesStart) -> Result<(), quick_xml::Error> {
        match (e.local_name().as_ref(), &mut self.open) {
            ("Schema", _) => {
                let [namespace, alias] = attributes(e, ["Namespace", "Alias"])?;
                self.namespace = namespace.unwrap_or_default().into_owned();
                if let Some(alias) = alias {
                    self.aliases
                        .insert(alias.into_owned(), self.namespace.clone());
                }
            }
            ("EntityType", _) => {
                if let [Some(name), base] = attributes(e, ["Name", "BaseType"])? {
                    self.open = Open::EntityType {
                        name: format!("{}.{name}", self.namespace),
                        ty: RawType {
                            base: base.map(Cow::into_owned),
                            ..RawType::default()
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
            ("Property", Open::EntityType { ty, .. }) => ty.columns.extend(column(e)?),
            ("NavigationProperty", Open::EntityType { ty, .. }) => {
                if let [Some(name)] = attributes(e, ["Name"])? {
                    ty.navigation.push(name.into_owned());
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

    fn close(&mut self, local_name: &str) {
        match (local_name, std::mem::take(&mut self.open)) {
            ("EntityType", Open::EntityType { name, mut ty, .. }) => {
                // Growth room times ~5,000 types is megabytes; give it back.
                ty.columns.shrink_to_fit();
                self.types.insert(name, ty);
            }
            ("EnumType", Open::EnumType(enum_type)) => {
                self.enums
                    .insert(enum_type.name.clone(), Arc::new(enum_type));
            }
            ("EntityContainer", Open::Container) => {}
            ("Key", Open::EntityType { name, ty, .. }) => {
                self.open = Open::EntityType {
                    name,
                    ty,
                    in_key: false,
                }
            }
            (name, open) => {
                self.closed |= name == "Edmx";
                self.open = open;
            }
        }
    }

    /// Merges base types, marks keys and resolves enums, now that every
    /// schema has been read.
    fn finish(mut self) -> Catalog {
        let sets = std::mem::take(&mut self.sets);
        // How often each type is still needed: its last use takes the
        // columns instead of copying them, so peak memory stays near the
        // catalog's own size.
        let mut uses: HashMap<String, usize> = HashMap::new();
        let bases = self.types.values().filter_map(|t| t.base.as_deref());
        for ty in sets.iter().map(|(_, ty)| ty.as_str()).chain(bases) {
            *uses.entry(self.qualified(ty).into_owned()).or_default() += 1;
        }
        let entity_sets = sets
            .into_iter()
            .map(|(name, ty)| {
                let ty = self.qualified(&ty).into_owned();
                self.entity_set(name, ty, &mut uses)
            })
            .collect();
        Catalog { entity_sets }
    }

    fn entity_set(
        &mut self,
        name: String,
        entity_type: String,
        uses: &mut HashMap<String, usize>,
    ) -> EntitySet {
        let mut keys = None;
        let mut columns = vec![];
        let mut navigation = vec![];
        // The base's columns first, as the service orders them in rows.
        for ty in self.lineage(&entity_type).iter().rev() {
            let last_use = *ty == entity_type
                && uses.get_mut(ty).is_some_and(|n| {
                    *n = n.saturating_sub(1);
                    *n == 0
                });
            let part = match last_use {
                true => self.types.remove(ty),
                false => self.types.get(ty).cloned(),
            };
            let Some(part) = part else { continue };
            columns.extend(part.columns);
            navigation.extend(part.navigation);
            // The most derived declaration wins.
            keys = part.keys.or(keys);
        }
        let keys = keys.unwrap_or_default();
        for column in &mut columns {
            column.key = keys.contains(&column.name);
            if let ColumnKind::Other(ty) = &column.kind {
                if let Some(enum_type) = self.enums.get(self.qualified(ty).as_ref()) {
                    column.kind = ColumnKind::Enum(Arc::clone(enum_type));
                }
            }
        }
        EntitySet {
            label: label::from_name(&name),
            name,
            entity_type,
            keys,
            columns,
            navigation,
            primary_name: None,
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
        // Made when the entity set is shown (EntitySet::labelled_columns).
        label: String::new(),
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
