// Columns and rows shaped like the backend's answers, for the Browse tests.
import type { Column } from "../../bindings/Column";
import type { ColumnKind } from "../../bindings/ColumnKind";
import type { EntitySummary } from "../../bindings/EntitySummary";

export function column(name: string, kind: ColumnKind, extra: Partial<Column> = {}): Column {
  return { name, label: extra.label ?? name, kind, nullable: true, key: false, max_length: null, precision: null, scale: null, ...extra };
}

/** An enum column's kind from `[name, value, label]` members. */
const enumKind = (name: string, members: [string, number, string][]): ColumnKind => ({
  Enum: { name, members: members.map(([name, value, label]) => ({ name, value, label })) },
});

/** BC: rows hold member names; the core labels the blank member `_x0020_` with nothing. */
export const BLOCKED = enumKind("Microsoft.NAV.customerBlocked", [
  ["_x0020_", 0, ""],
  ["Ship", 1, "Ship"],
  ["All", 3, "All"],
]);

/** F&O: rows hold member names, filters need the qualified literal. */
export const NOYES = enumKind("Microsoft.Dynamics.DataEntities.NoYes", [
  ["No", 0, "No"],
  ["Yes", 1, "Yes"],
]);

/** Dataverse: rows hold the option's number, which is also its member name. */
export const STATE = enumKind("account_statecode", [
  ["0", 0, "Active"],
  ["1", 1, "Inactive"],
]);

export const CUSTOMER_TYPE = enumKind("account_customertypecode", [
  ["3", 3, "Customer"],
  ["8", 8, "Prospect"],
]);

export const CUSTOMER_COLUMNS: Column[] = [
  column("id", "Guid", { label: "Id", key: true, nullable: false }),
  column("number", "Text", { label: "No.", max_length: 20 }),
  column("displayName", "Text", { label: "Display name", max_length: 100 }),
  column("balance", "Decimal", { label: "Balance" }),
  column("blocked", BLOCKED, { label: "Blocked" }),
  column("taxLiable", "Boolean", { label: "Tax liable" }),
  column("lastModifiedDateTime", "DateTime", { label: "Last modified" }),
  column("picture", "Binary", { label: "Picture" }),
];

export const ENTITIES: EntitySummary[] = [
  { name: "customers", label: "Customers", keys: ["id"], source: "Api" },
  { name: "vendors", label: "Vendors", keys: ["id"], source: "Api" },
  { name: "salesInvoices", label: "Sales invoices", keys: ["id"], source: "Api" },
];

/** A Business Central web service beside the API's customers. */
export const WEB_SERVICE: EntitySummary = { name: "ODataV4/Customers", label: "Customers", keys: ["No"], source: "WebService" };

export function customerRow(i: number): Record<string, unknown> {
  return {
    "@odata.etag": `W/"${i}"`,
    id: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
    number: `C${String(i).padStart(5, "0")}`,
    displayName: `Customer ${i}`,
    balance: i * 10.5,
    blocked: i % 2 ? "Ship" : "_x0020_",
    taxLiable: i % 3 === 0,
    lastModifiedDateTime: "2024-01-31T10:00:00Z",
  };
}
