//! CSDL `$metadata`: generated documents read back exactly as generated;
//! damaged ones, generated or captured, are errors with an explanation.

use d365_core::dynamics::catalog::{Catalog, CatalogError, ColumnKind};
use d365_core::dynamics::metadata::parse;
use d365_core::problem::Explain;
use proptest::prelude::*;

use crate::mutate::{apply, edits};

/// The Edm types the catalog names, and what it makes of them.
const EDM: &[(&str, ColumnKind)] = &[
    ("Edm.String", ColumnKind::Text),
    ("Edm.Int16", ColumnKind::Integer),
    ("Edm.Int32", ColumnKind::Integer),
    ("Edm.Int64", ColumnKind::Integer),
    ("Edm.Byte", ColumnKind::Integer),
    ("Edm.SByte", ColumnKind::Integer),
    ("Edm.Decimal", ColumnKind::Decimal),
    ("Edm.Double", ColumnKind::Decimal),
    ("Edm.Single", ColumnKind::Decimal),
    ("Edm.Boolean", ColumnKind::Boolean),
    ("Edm.Date", ColumnKind::Date),
    ("Edm.DateTimeOffset", ColumnKind::DateTime),
    ("Edm.TimeOfDay", ColumnKind::Time),
    ("Edm.Guid", ColumnKind::Guid),
    ("Edm.Binary", ColumnKind::Binary),
    ("Edm.Stream", ColumnKind::Binary),
];

/// Types the catalog keeps as named: geography, collections, complex types.
const OTHER: &[&str] = &[
    "Edm.GeographyPoint",
    "Edm.Duration",
    "Collection(Edm.String)",
    "Nowhere.Address",
];

#[derive(Debug, Clone)]
enum TypeChoice {
    Edm(usize),
    Other(usize),
    /// An enum of the document (index wraps), named by namespace or alias.
    Enum(usize, bool),
}

#[derive(Debug, Clone)]
enum MaxLength {
    Number(u32),
    Max,
}

#[derive(Debug, Clone)]
struct RawProperty {
    stem: String,
    ty: TypeChoice,
    nullable: Option<bool>,
    max_length: Option<MaxLength>,
    /// Written as `<Property …>` with an annotation inside.
    annotated: bool,
}

#[derive(Debug, Clone)]
struct RawEntity {
    schema: usize,
    stem: String,
    /// An earlier type (index wraps) and whether it is named by alias.
    base: Option<(usize, bool)>,
    /// How many of the type's own properties form its key; `None` writes
    /// no `<Key>` (inherited, or no key at all).
    key_len: Option<usize>,
    properties: Vec<RawProperty>,
    navigation: Vec<String>,
}

#[derive(Debug, Clone)]
struct RawEnum {
    schema: usize,
    stem: String,
    members: Vec<(String, Option<i64>)>,
}

#[derive(Debug, Clone)]
struct RawSet {
    stem: String,
    /// An entity (index wraps) named by alias or not; `None` is a type the
    /// document never declares.
    target: Option<(usize, bool)>,
    /// Which schema's container lists it.
    schema: usize,
    /// Written with a child element (`NavigationPropertyBinding`).
    with_child: bool,
}

#[derive(Debug, Clone)]
struct Style {
    prefix: &'static str,
    quote: char,
    gap: &'static str,
    declaration: bool,
    noise: bool,
}

#[derive(Debug, Clone)]
struct Raw {
    schemas: Vec<(String, Option<String>)>,
    enums: Vec<RawEnum>,
    entities: Vec<RawEntity>,
    sets: Vec<RawSet>,
    style: Style,
}

fn ident() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9]{0,8}"
}

fn raw() -> impl Strategy<Value = Raw> {
    let ty = prop_oneof![
        4 => (0..EDM.len()).prop_map(TypeChoice::Edm),
        1 => (0..OTHER.len()).prop_map(TypeChoice::Other),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(i, a)| TypeChoice::Enum(i, a)),
    ];
    let max_length = prop_oneof![
        any::<u32>().prop_map(MaxLength::Number),
        Just(MaxLength::Max)
    ];
    let property = (
        ident(),
        ty,
        any::<Option<bool>>(),
        prop::option::of(max_length),
        any::<bool>(),
    )
        .prop_map(|(stem, ty, nullable, max_length, annotated)| RawProperty {
            stem,
            ty,
            nullable,
            max_length,
            annotated,
        });
    let entity = (
        any::<usize>(),
        ident(),
        prop::option::of((any::<usize>(), any::<bool>())),
        prop::option::of(0..4usize),
        prop::collection::vec(property, 0..7),
        prop::collection::vec(ident(), 0..3),
    )
        .prop_map(
            |(schema, stem, base, key_len, properties, navigation)| RawEntity {
                schema,
                stem,
                base,
                key_len,
                properties,
                navigation,
            },
        );
    let member = (ident(), prop::option::of(any::<i64>()));
    let enum_type = (any::<usize>(), ident(), prop::collection::vec(member, 0..5)).prop_map(
        |(schema, stem, members)| RawEnum {
            schema,
            stem,
            members,
        },
    );
    let set = (
        ident(),
        prop::option::weighted(0.9, (any::<usize>(), any::<bool>())),
        any::<usize>(),
        any::<bool>(),
    )
        .prop_map(|(stem, target, schema, with_child)| RawSet {
            stem,
            target,
            schema,
            with_child,
        });
    let style = (
        prop::sample::select(vec!["edmx:", "", "e:"]),
        prop::sample::select(vec!['"', '\'']),
        prop::sample::select(vec![" ", "\n    ", "\t", "  \r\n"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(prefix, quote, gap, declaration, noise)| Style {
            prefix,
            quote,
            gap,
            declaration,
            noise,
        });
    (
        prop::collection::vec((ident(), prop::option::of("[A-Z]{1,3}")), 1..4),
        prop::collection::vec(enum_type, 0..4),
        prop::collection::vec(entity, 0..6),
        prop::collection::vec(set, 0..8),
        style,
    )
        .prop_map(|(schemas, enums, entities, sets, style)| Raw {
            schemas,
            enums,
            entities,
            sets,
            style,
        })
}

/// One set as the catalog must show it.
#[derive(Debug, PartialEq)]
struct ExpectedSet {
    name: String,
    entity_type: String,
    keys: Vec<String>,
    /// Name, kind, nullable, max length, key.
    columns: Vec<(String, ColumnKind, bool, Option<u32>, bool)>,
}

/// A member's name, its value, and the value as written (if at all).
type Member = (String, i64, Option<i64>);

/// The resolved model: unique names, indices in range.
struct Model {
    /// Namespace and alias. Namespaces have a dot, aliases none, so no
    /// alias is ever mistaken for a namespace.
    schemas: Vec<(String, Option<String>)>,
    enums: Vec<(usize, String, Vec<Member>)>,
    entities: Vec<Entity>,
}

struct Entity {
    schema: usize,
    name: String,
    base: Option<(usize, bool)>,
    keys: Option<Vec<String>>,
    properties: Vec<(String, RawProperty)>,
    navigation: Vec<String>,
}

impl Model {
    fn new(raw: &Raw) -> Model {
        let schemas: Vec<_> = raw
            .schemas
            .iter()
            .enumerate()
            .map(|(i, (stem, alias))| {
                (
                    format!("{stem}.S{i}"),
                    alias.as_ref().map(|a| format!("{a}{i}")),
                )
            })
            .collect();
        let enums = raw
            .enums
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let members = e
                    .members
                    .iter()
                    .enumerate()
                    // Without Value, members count from zero by position.
                    .map(|(j, (stem, value))| {
                        (format!("{stem}{j}"), value.unwrap_or(j as i64), *value)
                    })
                    .collect();
                (e.schema % schemas.len(), format!("{}E{i}", e.stem), members)
            })
            .collect();
        let entities = raw
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let properties: Vec<_> = e
                    .properties
                    .iter()
                    .enumerate()
                    .map(|(j, p)| (format!("{}{i}_{j}", p.stem), p.clone()))
                    .collect();
                let keys = e.key_len.map(|n| {
                    properties
                        .iter()
                        .take(n)
                        .map(|(name, _)| name.clone())
                        .collect()
                });
                Entity {
                    schema: e.schema % schemas.len(),
                    name: format!("{}T{i}", e.stem),
                    // Only earlier types, so no cycles.
                    base: e.base.filter(|_| i > 0).map(|(b, alias)| (b % i, alias)),
                    keys,
                    properties,
                    navigation: e
                        .navigation
                        .iter()
                        .enumerate()
                        .map(|(j, n)| format!("{n}{i}_{j}"))
                        .collect(),
                }
            })
            .collect();
        Model {
            schemas,
            enums,
            entities,
        }
    }

    /// `Namespace.Name`, or `Alias.Name` when asked and there is an alias.
    fn reference(&self, schema: usize, name: &str, by_alias: bool) -> String {
        let (namespace, alias) = &self.schemas[schema];
        match alias {
            Some(alias) if by_alias => format!("{alias}.{name}"),
            _ => format!("{namespace}.{name}"),
        }
    }

    fn full(&self, schema: usize, name: &str) -> String {
        self.reference(schema, name, false)
    }

    fn type_text(&self, ty: &TypeChoice) -> String {
        match ty {
            TypeChoice::Edm(i) => EDM[*i].0.to_string(),
            TypeChoice::Other(i) => OTHER[*i].to_string(),
            TypeChoice::Enum(_, _) if self.enums.is_empty() => "Nowhere.Enum".into(),
            TypeChoice::Enum(i, alias) => {
                let (schema, name, _) = &self.enums[i % self.enums.len()];
                self.reference(*schema, name, *alias)
            }
        }
    }

    fn kind(&self, ty: &TypeChoice) -> ColumnKind {
        match ty {
            TypeChoice::Edm(i) => EDM[*i].1.clone(),
            TypeChoice::Enum(i, _) if !self.enums.is_empty() => {
                let (schema, name, _) = &self.enums[i % self.enums.len()];
                // Compared by name and members in `same_kind`.
                ColumnKind::Other(format!("enum {}", self.full(*schema, name)))
            }
            _ => ColumnKind::Other(self.type_text(ty)),
        }
    }

    fn expected(&self, raw: &Raw) -> Vec<ExpectedSet> {
        // Container order: schema by schema, each schema's sets in order.
        let mut sets: Vec<(usize, &RawSet)> = raw.sets.iter().enumerate().collect();
        sets.sort_by_key(|(_, s)| s.schema % self.schemas.len());
        sets.into_iter()
            .map(|(k, set)| {
                let name = format!("{}Set{k}", set.stem);
                let Some((i, _)) = set.target.filter(|_| !self.entities.is_empty()) else {
                    return ExpectedSet {
                        name,
                        entity_type: format!("Nowhere.Ghost{k}"),
                        keys: vec![],
                        columns: vec![],
                    };
                };
                let mut lineage = vec![i % self.entities.len()];
                while let Some((base, _)) = lineage.last().and_then(|&t| self.entities[t].base) {
                    lineage.push(base);
                }
                let keys = lineage
                    .iter()
                    .find_map(|&t| self.entities[t].keys.clone())
                    .unwrap_or_default();
                let columns = lineage
                    .iter()
                    .rev()
                    .flat_map(|&t| &self.entities[t].properties)
                    .map(|(name, p)| {
                        let max_length = match p.max_length {
                            Some(MaxLength::Number(n)) => Some(n),
                            _ => None,
                        };
                        (
                            name.clone(),
                            self.kind(&p.ty),
                            p.nullable != Some(false),
                            max_length,
                            keys.contains(name),
                        )
                    })
                    .collect();
                let entity = &self.entities[lineage[0]];
                ExpectedSet {
                    name,
                    entity_type: self.full(entity.schema, &entity.name),
                    keys,
                    columns,
                }
            })
            .collect()
    }

    fn document(&self, raw: &Raw) -> String {
        let Style {
            prefix,
            quote: q,
            gap,
            declaration,
            noise,
        } = raw.style;
        let mut out = String::new();
        if declaration {
            out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        }
        let edmx = match prefix.trim_end_matches(':') {
            "" => "xmlns".to_string(),
            name => format!("xmlns:{name}"),
        };
        out += &format!("<{prefix}Edmx Version={q}4.0{q} {edmx}={q}http://docs.oasis-open.org/odata/ns/edmx{q}>");
        if noise {
            out += &format!("<{prefix}Reference Uri={q}https://example.com/Core.xml{q}><{prefix}Include Namespace={q}Org.OData.Core.V1{q}{gap}Alias={q}Core{q}/></{prefix}Reference>");
        }
        out += &format!("<{prefix}DataServices>");
        for (s, (namespace, alias)) in self.schemas.iter().enumerate() {
            out += &format!("<Schema{gap}Namespace={q}{namespace}{q}");
            if let Some(alias) = alias {
                out += &format!("{gap}Alias={q}{alias}{q}");
            }
            out += &format!(" xmlns={q}http://docs.oasis-open.org/odata/ns/edm{q}>");
            for (schema, name, members) in &self.enums {
                if *schema != s {
                    continue;
                }
                out += &format!("<EnumType Name={q}{name}{q}>");
                for (member, _, value) in members {
                    match value {
                        Some(v) => {
                            out += &format!("<Member Name={q}{member}{q}{gap}Value={q}{v}{q}/>")
                        }
                        None => out += &format!("<Member Name={q}{member}{q} />"),
                    }
                }
                out += "</EnumType>";
            }
            for entity in self.entities.iter().filter(|e| e.schema == s) {
                out += &format!("<EntityType Name={q}{}{q}", entity.name);
                if let Some((base, alias)) = entity.base {
                    let base = &self.entities[base];
                    out += &format!(
                        "{gap}BaseType={q}{}{q}",
                        self.reference(base.schema, &base.name, alias)
                    );
                }
                out += ">";
                if let Some(keys) = &entity.keys {
                    out += "<Key>";
                    for key in keys {
                        out += &format!("<PropertyRef Name={q}{key}{q}/>");
                    }
                    out += "</Key>";
                }
                for (name, p) in &entity.properties {
                    out += &format!(
                        "<Property Name={q}{name}{q}{gap}Type={q}{}{q}",
                        self.type_text(&p.ty)
                    );
                    if let Some(nullable) = p.nullable {
                        out += &format!(" Nullable={q}{nullable}{q}");
                    }
                    match &p.max_length {
                        Some(MaxLength::Number(n)) => out += &format!(" MaxLength={q}{n}{q}"),
                        Some(MaxLength::Max) => out += &format!(" MaxLength={q}max{q}"),
                        None => {}
                    }
                    if p.annotated {
                        out += &format!("><Annotation Term={q}Core.Description{q} String={q}a &amp; &lt;b&gt; &#x27;c&#39;{q}/></Property>");
                    } else {
                        out += "/>";
                    }
                }
                for nav in &entity.navigation {
                    out += &format!("<NavigationProperty Name={q}{nav}{q} Type={q}Collection(Nowhere.Other){q} />");
                }
                out += "</EntityType>";
            }
            if noise {
                out += &format!("<ComplexType Name={q}Address{q}><Property Name={q}Street{q} Type={q}Edm.String{q}/></ComplexType>");
                out += &format!("<Function Name={q}Ping{q}><Parameter Name={q}x{q} Type={q}Edm.String{q}/><ReturnType Type={q}Edm.String{q}/></Function>");
            }
            let mut sets = raw
                .sets
                .iter()
                .enumerate()
                .filter(|(_, set)| set.schema % self.schemas.len() == s)
                .peekable();
            if sets.peek().is_some() || noise {
                out += &format!("<EntityContainer Name={q}C{s}{q}>");
                for (k, set) in sets {
                    let ty = match set.target.filter(|_| !self.entities.is_empty()) {
                        Some((i, alias)) => {
                            let entity = &self.entities[i % self.entities.len()];
                            self.reference(entity.schema, &entity.name, alias)
                        }
                        None => format!("Nowhere.Ghost{k}"),
                    };
                    out += &format!(
                        "<EntitySet Name={q}{}Set{k}{q}{gap}EntityType={q}{ty}{q}",
                        set.stem
                    );
                    if set.with_child {
                        out += &format!(
                            "><NavigationPropertyBinding Path={q}x{q} Target={q}y{q}/></EntitySet>"
                        );
                    } else {
                        out += "/>";
                    }
                }
                if noise {
                    out += &format!("<Singleton Name={q}Me{q} Type={q}Nowhere.Me{q}/><FunctionImport Name={q}Ping{q} Function={q}Ping{q}/>");
                }
                out += "</EntityContainer>";
            }
            out += "</Schema>";
            out += gap;
        }
        out += &format!("</{prefix}DataServices></{prefix}Edmx>\n");
        out
    }
}

/// Enum columns compare by the enum's name and members.
fn column_kind_matches(model: &Model, actual: &ColumnKind, expected: &ColumnKind) -> bool {
    match (actual, expected) {
        (ColumnKind::Enum(e), ColumnKind::Other(name)) if name.starts_with("enum ") => {
            let Some((_, _, members)) = model
                .enums
                .iter()
                .find(|(s, n, _)| format!("enum {}", model.full(*s, n)) == *name)
            else {
                return false;
            };
            format!("enum {}", e.name) == *name
                && e.members
                    .iter()
                    .map(|m| (m.name.as_str(), m.value))
                    .eq(members.iter().map(|(n, v, _)| (n.as_str(), *v)))
        }
        _ => actual == expected,
    }
}

fn check(model: &Model, catalog: &Catalog, expected: &[ExpectedSet]) -> Result<(), TestCaseError> {
    let names: Vec<_> = catalog.entity_sets.iter().map(|s| &s.name).collect();
    let expected_names: Vec<_> = expected.iter().map(|s| &s.name).collect();
    prop_assert_eq!(names, expected_names);
    for (set, want) in catalog.entity_sets.iter().zip(expected) {
        prop_assert_eq!(&set.entity_type, &want.entity_type);
        prop_assert_eq!(&set.keys, &want.keys, "keys of {}", set.name);
        let columns = catalog
            .columns(set)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(columns.len(), want.columns.len(), "columns of {}", set.name);
        for (column, (name, kind, nullable, max_length, key)) in columns.iter().zip(&want.columns) {
            prop_assert_eq!(&column.name, name);
            prop_assert!(
                column_kind_matches(model, &column.kind, kind),
                "{}: {:?} is not {:?}",
                name,
                column.kind,
                kind
            );
            prop_assert_eq!(
                (column.nullable, column.max_length, column.key),
                (*nullable, *max_length, *key),
                "{}",
                name
            );
        }
    }
    Ok(())
}

/// Any error, reading the document or an entity set's columns from it,
/// explains itself.
fn explained(result: Result<Catalog, CatalogError>) -> Result<(), TestCaseError> {
    let errors = match result {
        Ok(catalog) => catalog
            .entity_sets
            .iter()
            .filter_map(|set| catalog.columns(set).err())
            .collect(),
        Err(e) => vec![e],
    };
    for e in errors {
        let p = e.explain();
        prop_assert!(!p.message.is_empty() && !p.fix.is_empty() && p.details.is_some());
    }
    Ok(())
}

fn generated() -> impl Strategy<Value = (Raw, String)> {
    raw().prop_map(|raw| {
        let document = Model::new(&raw).document(&raw);
        (raw, document)
    })
}

/// The real documents in tests/fixtures.
fn captured() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        "bc/rebelpl_metadata.xml",
        "fno/docs_odata_action_metadata_excerpt.xml",
        "bc/amplabs_err-missing-environment.xml",
    ])
    .prop_map(d365_fixtures::bytes)
}

proptest! {
    #![proptest_config(config!(256, "csdl"))]

    #[test]
    fn generated_metadata_reads_back_as_generated((raw, document) in generated()) {
        let model = Model::new(&raw);
        let catalog = parse(document.clone()).map_err(|e| TestCaseError::fail(format!("{e:?}\n{document}")))?;
        check(&model, &catalog, &model.expected(&raw))?;
    }

    #[test]
    fn a_generated_document_cut_short_is_an_error((_, document) in generated(), cut in any::<prop::sample::Index>()) {
        // Everything before the root's end tag is complete: cut within it.
        let end = document.rfind("</").unwrap_or(document.len()) + 2;
        let cut = cut.index(end);
        let result = parse(document.as_bytes()[..cut].to_vec());
        prop_assert!(result.is_err(), "{}", &document[..cut]);
        explained(result)?;
    }

    #[test]
    fn damaged_generated_metadata_never_panics((_, document) in generated(), edits in edits()) {
        explained(parse(apply(document.into_bytes(), &edits)))?;
    }
}

proptest! {
    // A 360 kB document per case: fewer cases in a quick run.
    #![proptest_config(config!(24, "csdl"))]

    #[test]
    fn damaged_real_metadata_never_panics(document in captured(), edits in edits()) {
        explained(parse(apply(document, &edits)))?;
    }
}
