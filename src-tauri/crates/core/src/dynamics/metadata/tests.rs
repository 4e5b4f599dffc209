use proptest::prelude::*;

use super::*;
use crate::problem::Explain;
use d365_fixtures::text;

fn bc() -> Catalog {
    parse(text("bc/rebelpl_metadata.xml")).unwrap()
}

/// The columns of the set called `name`.
fn columns_of(catalog: &Catalog, name: &str) -> Vec<Column> {
    let set = catalog.get(name).unwrap_or_else(|| panic!("{name}"));
    catalog.columns(set).unwrap()
}

fn column<'a>(columns: &'a [Column], name: &str) -> &'a Column {
    columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name}"))
}

fn kind_of<'a>(columns: &'a [Column], name: &str) -> &'a ColumnKind {
    &column(columns, name).kind
}

fn enum_names(kind: &ColumnKind) -> (&str, Vec<&str>) {
    match kind {
        ColumnKind::Enum(e) => (&e.name, e.members.iter().map(|m| m.name.as_str()).collect()),
        other => panic!("not an enum: {other:?}"),
    }
}

#[test]
fn reads_business_centrals_real_metadata() {
    let catalog = bc();
    assert_eq!(catalog.entity_sets.len(), 87);
    assert_eq!(catalog.entity_sets[0].name, "entityDefinitions");
    assert_eq!(catalog.entity_sets[0].label, "Entity definitions");

    let customers = catalog.get("customers").unwrap();
    assert_eq!(customers.entity_type, "Microsoft.NAV.customer");
    assert_eq!(customers.label, "Customers");
    assert_eq!(customers.keys, ["id"]);
    let customers = columns_of(&catalog, "customers");
    assert_eq!(customers.len(), 27);
    assert!(
        customers.iter().all(|c| c.name != "currency"),
        "navigation is no column"
    );

    let id = column(&customers, "id");
    assert_eq!(
        (&id.kind, id.key, id.nullable, id.label.as_str()),
        (&ColumnKind::Guid, true, false, "ID")
    );
    let name = column(&customers, "displayName");
    assert_eq!(
        (&name.kind, name.key, name.max_length),
        (&ColumnKind::Text, false, Some(100))
    );
    let balance = column(&customers, "balanceDue");
    assert_eq!((&balance.kind, balance.scale), (&ColumnKind::Decimal, None));
    assert_eq!(kind_of(&customers, "taxLiable"), &ColumnKind::Boolean);
    assert_eq!(
        kind_of(&customers, "lastModifiedDateTime"),
        &ColumnKind::DateTime
    );
    assert_eq!(
        enum_names(kind_of(&customers, "type")),
        ("Microsoft.NAV.contactType", vec!["Company", "Person"])
    );
    let ColumnKind::Enum(blocked) = kind_of(&customers, "blocked") else {
        panic!()
    };
    assert_eq!(blocked.members[0].name, "_x0020_", "rows hold the raw name");
    assert_eq!(blocked.members[0].label, "", "BC's blank member");
    assert_eq!(
        (blocked.members[3].name.as_str(), blocked.members[3].value),
        ("All", 3)
    );

    let pictures = columns_of(&catalog, "pictures");
    assert_eq!(kind_of(&pictures, "width"), &ColumnKind::Integer);
    assert_eq!(kind_of(&pictures, "pictureContent"), &ColumnKind::Binary);
    assert_eq!(
        catalog.get("salesInvoices").unwrap().label,
        "Sales invoices"
    );
    let invoices = columns_of(&catalog, "salesInvoices");
    assert_eq!(kind_of(&invoices, "invoiceDate"), &ColumnKind::Date);
    let items = columns_of(&catalog, "items");
    let (_, members) = enum_names(kind_of(&items, "type"));
    let labels: Vec<_> = match kind_of(&items, "type") {
        ColumnKind::Enum(e) => e.members.iter().map(|m| m.label.as_str()).collect(),
        _ => unreachable!(),
    };
    assert_eq!(members, ["Inventory", "Service", "Non_x002D_Inventory"]);
    assert_eq!(labels, ["Inventory", "Service", "Non-Inventory"]);
    // A collection of a complex type is shown as text, named as declared.
    let definitions = columns_of(&catalog, "entityDefinitions");
    assert_eq!(
        kind_of(&definitions, "properties"),
        &ColumnKind::Other("Collection(Microsoft.NAV.entityMetadataField)".into())
    );
}

#[test]
fn every_bc_enum_column_shares_one_enum_type() {
    let catalog = bc();
    let blocked: Vec<_> = ["customers", "vendors"]
        .iter()
        .map(|s| kind_of(&columns_of(&catalog, s), "blocked").clone())
        .collect();
    let ColumnKind::Enum(customer) = &blocked[0] else {
        panic!()
    };
    assert_eq!(customer.name, "Microsoft.NAV.customerBlocked");
    let unresolved = catalog
        .entity_sets
        .iter()
        .flat_map(|s| catalog.columns(s).unwrap())
        .filter(|c| matches!(&c.kind, ColumnKind::Other(t) if t.starts_with("Microsoft.NAV.")))
        .count();
    assert_eq!(unresolved, 0);
}

/// F&O-like: two schemas, one with an alias, a base type declared after
/// the type that derives from it, an enum used before it is declared, a
/// property with a nested annotation, a composite key with dataAreaId.
const FNO_LIKE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core" />
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="Microsoft.Dynamics.DataEntities" Alias="DE" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="CustomerV3" BaseType="DE.PartyBase">
        <Property Name="CustomerAccount" Type="Edm.String" Nullable="false" MaxLength="20">
          <Annotation Term="Core.Description" String="The customer's &quot;account&quot; &amp; id" />
        </Property>
        <Property Name="CreditLimit" Type="Edm.Decimal" Precision="32" Scale="6" />
        <Property Name="IsOneTimeCustomer" Type="Microsoft.Dynamics.DataEntities.NoYes" Nullable="false" />
        <Property Name="Gender" Type="Shared.Gender" />
        <Property Name="CreatedOn" Type="Edm.DateTimeOffset" />
        <Property Name="OpensAt" Type="Edm.TimeOfDay" />
        <Property Name="Rating" Type="Edm.Double" />
        <Property Name="Lines" Type="Edm.Int64" />
        <Property Name="Logo" Type="Edm.Binary" MaxLength="max" />
        <Property Name="Location" Type="Edm.GeographyPoint" />
        <Property Type="Edm.String" />
        <NavigationProperty Name="Invoices" Type="Collection(DE.CustInvoice)" />
      </EntityType>
      <ComplexType Name="Address">
        <Property Name="Street" Type="Edm.String" />
      </ComplexType>
      <EntityType Name="PartyBase" Abstract="true">
        <Key>
          <PropertyRef Name="dataAreaId" />
          <PropertyRef Name="CustomerAccount" />
        </Key>
        <Property Name="dataAreaId" Type="Edm.String" Nullable="false" MaxLength="4" />
      </EntityType>
      <EntityType Name="Empty" />
      <EnumType Name="NoYes">
        <Member Name="No" />
        <Member Name="Yes" />
      </EnumType>
      <Function Name="Ping"><Parameter Name="x" Type="Edm.String" /></Function>
      <EntityContainer Name="Resources">
        <EntitySet Name="CustomersV3" EntityType="Microsoft.Dynamics.DataEntities.CustomerV3">
          <NavigationPropertyBinding Path="Invoices" Target="CustInvoices" />
        </EntitySet>
        <EntitySet Name="MoreCustomers" EntityType="DE.CustomerV3" />
        <EntitySet Name="Parties" EntityType="DE.PartyBase" />
        <EntitySet Name="Empties" EntityType="DE.Empty" />
        <EntitySet Name="Ghosts" EntityType="DE.NotDeclared" />
        <Singleton Name="Me" Type="DE.PartyBase" />
      </EntityContainer>
    </Schema>
    <Schema Namespace="Shared" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="Gender" UnderlyingType="Edm.Int64">
        <Member Name="Unknown" Value="10" />
        <Member Name="NonSpecific" Value="30" />
      </EnumType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

#[test]
fn reads_an_fno_like_document() {
    let catalog = parse(FNO_LIKE.as_bytes()).unwrap();
    let names: Vec<_> = catalog
        .entity_sets
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "CustomersV3",
            "MoreCustomers",
            "Parties",
            "Empties",
            "Ghosts"
        ]
    );

    let customers = &catalog.entity_sets[0];
    assert_eq!(
        customers.entity_type,
        "Microsoft.Dynamics.DataEntities.CustomerV3"
    );
    assert_eq!(customers.label, "Customers V3");
    assert_eq!(customers.keys, ["dataAreaId", "CustomerAccount"]);
    let customers = catalog.columns(customers).unwrap();
    let columns: Vec<_> = customers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        columns[..3],
        ["dataAreaId", "CustomerAccount", "CreditLimit"],
        "base first"
    );
    assert_eq!(columns.len(), 11, "the property without a name is skipped");
    assert!(customers
        .iter()
        .filter(|c| c.key)
        .map(|c| &c.name)
        .eq(["dataAreaId", "CustomerAccount"]));
    assert_eq!(column(&customers, "dataAreaId").label, "Data area ID");
    let account = column(&customers, "CustomerAccount");
    assert_eq!((account.max_length, account.nullable), (Some(20), false));
    let credit = column(&customers, "CreditLimit");
    assert_eq!(
        (&credit.kind, credit.precision, credit.scale),
        (&ColumnKind::Decimal, Some(32), Some(6))
    );
    let no_yes = kind_of(&customers, "IsOneTimeCustomer");
    assert_eq!(
        enum_names(no_yes),
        ("Microsoft.Dynamics.DataEntities.NoYes", vec!["No", "Yes"])
    );
    let ColumnKind::Enum(no_yes) = no_yes else {
        unreachable!()
    };
    assert_eq!(
        no_yes.members.iter().map(|m| m.value).collect::<Vec<_>>(),
        [0, 1]
    );
    let ColumnKind::Enum(gender) = kind_of(&customers, "Gender") else {
        panic!()
    };
    assert_eq!(
        (gender.name.as_str(), gender.members[1].value),
        ("Shared.Gender", 30)
    );
    assert_eq!(kind_of(&customers, "OpensAt"), &ColumnKind::Time);
    assert_eq!(kind_of(&customers, "Rating"), &ColumnKind::Decimal);
    assert_eq!(kind_of(&customers, "Lines"), &ColumnKind::Integer);
    assert_eq!(column(&customers, "Logo").max_length, None);
    assert_eq!(
        kind_of(&customers, "Location"),
        &ColumnKind::Other("Edm.GeographyPoint".into())
    );
    assert!(
        customers.iter().all(|c| c.name != "Invoices"),
        "navigation is no column"
    );

    // The second set of the same type gets the same columns.
    assert_eq!(columns_of(&catalog, "MoreCustomers"), customers);
    let parties = &catalog.entity_sets[2];
    assert_eq!(parties.keys.len(), 2);
    assert_eq!(columns_of(&catalog, "Parties").len(), 1);
    assert!(columns_of(&catalog, "Empties").is_empty());
    // A set whose type is missing is still listed: its rows can be read.
    assert!(columns_of(&catalog, "Ghosts").is_empty());
}

#[test]
fn a_base_type_cycle_ends() {
    let xml = r#"<edmx:Edmx xmlns:edmx="x"><edmx:DataServices><Schema Namespace="N">
        <EntityType Name="A" BaseType="N.B"><Property Name="a" Type="Edm.String"/></EntityType>
        <EntityType Name="B" BaseType="N.A"><Property Name="b" Type="Edm.String"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"/></EntityContainer>
        </Schema></edmx:DataServices></edmx:Edmx>"#;
    let catalog = parse(xml.as_bytes()).unwrap();
    let columns: Vec<_> = columns_of(&catalog, "As")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(columns, ["b", "a"]);
}

fn error(input: &[u8]) -> CatalogError {
    parse(Bytes::copy_from_slice(input)).expect_err(&String::from_utf8_lossy(input))
}

#[test]
fn bad_answers_are_errors_not_panics() {
    let truncated = &FNO_LIKE.as_bytes()[..FNO_LIKE.len() / 2];
    let cases: [&[u8]; 7] = [
        truncated,
        b"<edmx:Edmx><Schema></edmx:Edmx>",
        b"<edmx:Edmx><Schema Namespace=\"a\" Namespace=\"b\"></Schema></edmx:Edmx>",
        b"<edmx:Edmx><EnumType Name=\"&bogus;\"></EnumType></edmx:Edmx>",
        b"\xff\xfe<\x00e\x00",
        b"<edmx:Edmx",
        b"<?xml version=\"1.0\"?>",
    ];
    for input in cases {
        let e = error(input);
        let explained = e.explain();
        assert_eq!(
            explained.message, "The service's list of tables could not be read.",
            "{input:?}"
        );
        assert!(explained.details.is_some());
    }
    let CatalogError::Xml { position, .. } = error(truncated) else {
        panic!()
    };
    assert!(position > 0);
}

#[test]
fn something_else_than_metadata_is_named() {
    let html = error(b"<!DOCTYPE html><html><body>Sign in to your proxy</body></html>");
    assert!(
        matches!(&html, CatalogError::NotMetadata { root } if root == "html"),
        "{html:?}"
    );
    let json = error(br#"{"error":{"code":"x","message":"y"}}"#);
    assert!(matches!(json, CatalogError::NotMetadata { .. }), "{json:?}");
    assert!(matches!(error(b""), CatalogError::NotMetadata { root } if root.is_empty()));
}

/// A property's attributes are read when its set is shown: a broken one
/// is then an error, with where it is in the document.
#[test]
fn a_broken_property_is_an_error_when_its_set_is_shown() {
    let xml = r#"<edmx:Edmx xmlns:edmx="x"><edmx:DataServices><Schema Namespace="N">
        <EntityType Name="A"><Property Name="a" Name="b" Type="Edm.String"/></EntityType>
        <EntityType Name="B"><Property Name="b" Type="Edm.String"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"/>
        <EntitySet Name="Bs" EntityType="N.B"/></EntityContainer>
        </Schema></edmx:DataServices></edmx:Edmx>"#;
    let catalog = parse(xml.as_bytes()).unwrap();
    let e = catalog.columns(&catalog.entity_sets[0]).unwrap_err();
    let CatalogError::Xml { position, .. } = &e else {
        panic!("{e:?}")
    };
    let at = usize::try_from(*position).unwrap();
    assert!(
        xml[..at].ends_with(r#"Type="Edm.String"/>"#),
        "{}",
        &xml[..at]
    );
    assert!(
        e.explain().details.is_some_and(|d| d.contains("duplicate")),
        "{e:?}"
    );
    assert_eq!(columns_of(&catalog, "Bs").len(), 1);
}

/// Valid documents with random text spliced in somewhere.
fn damaged() -> impl Strategy<Value = Vec<u8>> {
    (
        0..FNO_LIKE.len(),
        "[<>/=\"'&;a-zA-Z .:_-]{0,12}",
        0..32usize,
    )
        .prop_map(|(at, noise, cut)| {
            let mut bytes = FNO_LIKE.as_bytes()[..at].to_vec();
            bytes.extend_from_slice(noise.as_bytes());
            bytes.extend_from_slice(&FNO_LIKE.as_bytes()[(at + cut).min(FNO_LIKE.len())..]);
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn random_input_never_panics(bytes in prop_oneof![
        any::<Vec<u8>>(),
        any::<String>().prop_map(String::into_bytes),
        "<edmx:Edmx>(<[A-Za-z]{1,12}( [A-Za-z]{1,9}=\"[^\"<&]{0,9}\")*/?>|</[A-Za-z]{1,12}>){0,20}(</edmx:Edmx>)?".prop_map(String::into_bytes),
        damaged(),
    ]) {
        let columns = parse(bytes).map(|catalog| {
            catalog
                .entity_sets
                .iter()
                .map(|set| catalog.columns(set))
                .collect::<Vec<_>>()
        });
        let errors = match columns {
            Ok(columns) => columns.into_iter().filter_map(Result::err).collect(),
            Err(e) => vec![e],
        };
        for e in errors {
            let explained = e.explain();
            prop_assert!(!explained.message.is_empty() && !explained.fix.is_empty());
        }
    }
}
