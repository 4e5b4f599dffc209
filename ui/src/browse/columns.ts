// What the Browse step decides from a column's declared type alone: which
// columns show by default, how wide they are, and what can be sorted or
// filtered. Pure, so it is tested without rendering.
import type { Column } from "../bindings/Column";
import type { ColumnKind } from "../bindings/ColumnKind";
import type { EnumMember } from "../bindings/EnumMember";
import type { EnumType } from "../bindings/EnumType";

/** The kind without its payload, for switches. */
export type KindTag = Exclude<ColumnKind, object> | "Enum" | "Other";

export const kindTag = (kind: ColumnKind): KindTag =>
  typeof kind === "string" ? kind : "Enum" in kind ? "Enum" : "Other";

export const enumOf = (kind: ColumnKind): EnumType | null =>
  typeof kind === "object" && "Enum" in kind ? kind.Enum : null;

/** What a member shows: BC's blank member `_x0020_` has a label of nothing. */
export const memberLabel = (member: EnumMember): string => member.label.trim() || "(blank)";

/** Binary blobs and types the grid only shows as text cannot be compared. */
export const isComparable = (column: Column): boolean => !["Binary", "Other"].includes(kindTag(column.kind));

// Columns people look for first when they check that data arrived.
const NAME_LIKE = /name|title|description|subject|number|no$|code|email|city/i;

/**
 * The keys, then up to `limit` columns worth a first look: name-like text
 * first, never blobs, untyped values or non-key GUIDs (references nobody
 * reads). F&O entities carry 300 columns; showing them all helps no one.
 * The result keeps the service's column order.
 */
export function defaultSelection(columns: readonly Column[], limit = 8): string[] {
  const rank = (c: Column): number => {
    const tag = kindTag(c.kind);
    if (tag === "Binary" || tag === "Other" || tag === "Guid" || c.name.startsWith("_")) return Infinity;
    return tag === "Text" && NAME_LIKE.test(c.name) ? 0 : 1;
  };
  const chosen = new Set(
    columns
      .filter((c) => !c.key)
      .map((c, order) => ({ name: c.name, rank: rank(c), order }))
      .filter((c) => c.rank !== Infinity)
      .sort((a, b) => a.rank - b.rank || a.order - b.order)
      .slice(0, limit)
      .map((c) => c.name),
  );
  const selection = columns.filter((c) => c.key || chosen.has(c.name)).map((c) => c.name);
  // An entity of only blobs and references still shows something.
  return selection.length ? selection : columns.slice(0, limit).map((c) => c.name);
}

/**
 * IDs and references (BC's `id`, Dataverse's `accountid` and its
 * `_parentaccountid_value` lookups): needed to find a row again, but not
 * what anyone reads to recognise it.
 */
export const isIdentity = (column: Column): boolean =>
  kindTag(column.kind) === "Guid" || /^_.+_value$/.test(column.name);

/** The columns people read first (number, name, city…), then the IDs; the
 *  service's order otherwise. */
export const readingOrder = (columns: readonly Column[]): Column[] => [
  ...columns.filter((c) => !isIdentity(c)),
  ...columns.filter(isIdentity),
];

/** Pixels: wide enough for the typical value of the type, no measuring. */
export function columnWidth(column: Column): number {
  switch (kindTag(column.kind)) {
    case "Boolean":
      return 90;
    case "Integer":
    case "Time":
      return 110;
    case "Decimal":
    case "Money":
    case "Date":
      return 140;
    case "Enum":
      return 160;
    case "DateTime":
      return 190;
    case "Guid":
      // About 9rem: the start of the ID, enough to tell rows apart; the
      // whole of it is in the cell's tooltip and the record panel.
      return 144;
    default:
      return column.max_length !== null && column.max_length <= 20 ? 150 : 230;
  }
}
