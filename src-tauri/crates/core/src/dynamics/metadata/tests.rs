use std::io::{BufReader, Read};

use proptest::prelude::*;

use super::*;
use crate::problem::{ErrorKind, Explain};
use crate::test_fixtures::read;

fn bc() -> Catalog {
    parse(read("bc/rebelpl_metadata.xml").as_bytes()).unwrap()
}

fn kind_of<'a>(set: &'a EntitySet, column: &str) -> &'a ColumnKind {
    &set.column(column)
        .unwrap_or_else(|| panic!("{column}"))
        .kind
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
    assert_eq!(customers.columns.len(), 27);
    assert!(customers.navigation.contains(&"currency".to_string()));
    assert!(
        customers.column("currency").is_none(),
        "navigation is no column"
    );

    let labelled = customers.labelled_columns();
    let id = labelled.iter().find(|c| c.name == "id").unwrap();
    assert_eq!(
        (&id.kind, id.key, id.nullable, id.label.as_str()),
        (&ColumnKind::Guid, true, false, "ID")
    );
    let name = customers.column("displayName").unwrap();
    assert_eq!(
        (&name.kind, name.key, name.max_length),
        (&ColumnKind::Text, false, Some(100))
    );
    let balance = customers.column("balanceDue").unwrap();
    assert_eq!((&balance.kind, balance.scale), (&ColumnKind::Decimal, None));
    assert_eq!(kind_of(customers, "taxLiable"), &ColumnKind::Boolean);
    assert_eq!(
        kind_of(customers, "lastModifiedDateTime"),
        &ColumnKind::DateTime
    );
    assert_eq!(
        enum_names(kind_of(customers, "type")),
        ("Microsoft.NAV.contactType", vec!["Company", "Person"])
    );
    let ColumnKind::Enum(blocked) = kind_of(customers, "blocked") else {
        panic!()
    };
    assert_eq!(blocked.members[0].name, "_x0020_", "rows hold the raw name");
    assert_eq!(blocked.members[0].label, "", "BC's blank member");
    assert_eq!(
        (blocked.members[3].name.as_str(), blocked.members[3].value),
        ("All", 3)
    );

    let pictures = catalog.get("pictures").unwrap();
    assert_eq!(kind_of(pictures, "width"), &ColumnKind::Integer);
    assert_eq!(kind_of(pictures, "pictureContent"), &ColumnKind::Binary);
    let invoices = catalog.get("salesInvoices").unwrap();
    assert_eq!(invoices.label, "Sales invoices");
    assert_eq!(kind_of(invoices, "invoiceDate"), &ColumnKind::Date);
    let items = catalog.get("items").unwrap();
    let (_, members) = enum_names(kind_of(items, "type"));
    let labels: Vec<_> = match kind_of(items, "type") {
        ColumnKind::Enum(e) => e.members.iter().map(|m| m.label.as_str()).collect(),
        _ => unreachable!(),
    };
    assert_eq!(members, ["Inventory", "Service", "Non_x002D_Inventory"]);
    assert_eq!(labels, ["Inventory", "Service", "Non-Inventory"]);
    // A collection of a complex type is shown as text, named as declared.
    let definitions = catalog.get("entityDefinitions").unwrap();
    assert_eq!(
        kind_of(definitions, "properties"),
        &ColumnKind::Other("Collection(Microsoft.NAV.entityMetadataField)".into())
    );
}

#[test]
fn every_bc_enum_column_shares_one_enum_type() {
    let catalog = bc();
    let blocked: Vec<_> = ["customers", "vendors"]
        .iter()
        .map(|s| kind_of(catalog.get(s).unwrap(), "blocked").clone())
        .collect();
    let ColumnKind::Enum(customer) = &blocked[0] else {
        panic!()
    };
    assert_eq!(customer.name, "Microsoft.NAV.customerBlocked");
    let unresolved = catalog
        .entity_sets
        .iter()
        .flat_map(|s| &s.columns)
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
    let columns: Vec<_> = customers.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        columns[..3],
        ["dataAreaId", "CustomerAccount", "CreditLimit"],
        "base first"
    );
    assert_eq!(columns.len(), 11, "the property without a name is skipped");
    assert!(customers
        .columns
        .iter()
        .filter(|c| c.key)
        .map(|c| &c.name)
        .eq(["dataAreaId", "CustomerAccount"]));
    let labelled = customers.labelled_columns();
    let area = labelled.iter().find(|c| c.name == "dataAreaId").unwrap();
    assert_eq!(area.label, "Data area ID");
    let account = customers.column("CustomerAccount").unwrap();
    assert_eq!((account.max_length, account.nullable), (Some(20), false));
    let credit = customers.column("CreditLimit").unwrap();
    assert_eq!(
        (&credit.kind, credit.precision, credit.scale),
        (&ColumnKind::Decimal, Some(32), Some(6))
    );
    let no_yes = kind_of(customers, "IsOneTimeCustomer");
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
    let ColumnKind::Enum(gender) = kind_of(customers, "Gender") else {
        panic!()
    };
    assert_eq!(
        (gender.name.as_str(), gender.members[1].value),
        ("Shared.Gender", 30)
    );
    assert_eq!(kind_of(customers, "OpensAt"), &ColumnKind::Time);
    assert_eq!(kind_of(customers, "Rating"), &ColumnKind::Decimal);
    assert_eq!(kind_of(customers, "Lines"), &ColumnKind::Integer);
    assert_eq!(customers.column("Logo").unwrap().max_length, None);
    assert_eq!(
        kind_of(customers, "Location"),
        &ColumnKind::Other("Edm.GeographyPoint".into())
    );
    assert_eq!(customers.navigation, ["Invoices"]);

    // The second set of the same type gets the same columns.
    assert_eq!(catalog.entity_sets[1].columns, customers.columns);
    let parties = &catalog.entity_sets[2];
    assert_eq!((parties.keys.len(), parties.columns.len()), (2, 1));
    assert!(catalog.entity_sets[3].columns.is_empty());
    // A set whose type is missing is still listed: its rows can be read.
    assert!(catalog.entity_sets[4].columns.is_empty());
}

#[test]
fn a_base_type_cycle_ends() {
    let xml = r#"<edmx:Edmx xmlns:edmx="x"><edmx:DataServices><Schema Namespace="N">
        <EntityType Name="A" BaseType="N.B"><Property Name="a" Type="Edm.String"/></EntityType>
        <EntityType Name="B" BaseType="N.A"><Property Name="b" Type="Edm.String"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"/></EntityContainer>
        </Schema></edmx:DataServices></edmx:Edmx>"#;
    let catalog = parse(xml.as_bytes()).unwrap();
    let columns: Vec<_> = catalog.entity_sets[0]
        .columns
        .iter()
        .map(|c| &c.name)
        .collect();
    assert_eq!(columns, ["b", "a"]);
}

fn error(input: &[u8]) -> CatalogError {
    parse(input).expect_err(&String::from_utf8_lossy(input))
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

/// Delivers `limit` bytes, then fails like a dropped connection.
struct Dropping<'a>(&'a [u8], usize);

impl Read for Dropping<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.1 == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset",
            ));
        }
        let n = buf.len().min(self.1).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        self.1 -= n;
        Ok(n)
    }
}

#[test]
fn a_dropped_stream_is_a_network_problem() {
    let stream = BufReader::with_capacity(64, Dropping(FNO_LIKE.as_bytes(), 1000));
    let e = parse(stream).unwrap_err();
    assert!(
        matches!(e, CatalogError::Interrupted { position, .. } if position <= 1000),
        "{e:?}"
    );
    assert_eq!(e.explain().kind, ErrorKind::Network);
}

#[test]
fn a_small_buffer_reads_the_same() {
    let whole = parse(FNO_LIKE.as_bytes()).unwrap();
    let streamed = parse(BufReader::with_capacity(7, FNO_LIKE.as_bytes())).unwrap();
    assert_eq!(whole, streamed);
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
        if let Err(e) = parse(bytes.as_slice()) {
            let explained = e.explain();
            prop_assert!(!explained.message.is_empty() && !explained.fix.is_empty());
        }
    }
}
