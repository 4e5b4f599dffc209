// Cell text by the column's declared type, in the user's locale. The grid
// formats every visible cell on every scroll frame, so a column's formatter
// is built once (cached per Column object) and the Intl formatters inside
// are shared.
import type { Column } from "../bindings/Column";
import { enumOf, kindTag, memberLabel } from "./columns";
import { dateFormat, displayLocale, numberFormat } from "./locale";

export type Formatter = (value: unknown) => string;

/** What an empty value shows: visibly empty, not an empty-looking cell. */
export const EMPTY = "—";

// Safari 15 caps fraction digits at 20.
const digits = (n: number) => Math.min(Math.max(n, 0), 20);

/** Numbers may arrive as strings (IEEE754Compatible); unparsable ones show as sent. */
const numeric = (format: Intl.NumberFormat): Formatter => (value) => {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && value !== "" ? format.format(n) : String(value);
};

const dated =
  (format: Intl.DateTimeFormat, parse: (text: string) => Date): Formatter =>
  (value) => {
    const date = parse(String(value));
    return Number.isNaN(date.getTime()) ? String(value) : format.format(date);
  };

/** A time of day, placed on a UTC day so no zone shifts it. */
function timeOfDay(text: string): Date {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text);
  return m ? new Date(Date.UTC(1970, 0, 1, +m[1], +m[2], +(m[3] ?? 0))) : new Date(NaN);
}

function build(column: Column, locale: string): Formatter {
  switch (kindTag(column.kind)) {
    case "Text":
    case "Guid":
      return String;
    case "Integer":
      return numeric(numberFormat(locale, { maximumFractionDigits: 0 }));
    case "Decimal":
      return numeric(numberFormat(locale, { maximumFractionDigits: digits(column.scale ?? 10) }));
    case "Money": {
      const places = digits(Math.max(2, column.scale ?? 2));
      return numeric(numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: places }));
    }
    case "Boolean":
      return (value) => (value === true ? "Yes" : value === false ? "No" : String(value));
    case "Date":
      // A calendar date has no zone: read and show it in UTC so it never
      // moves a day.
      return dated(dateFormat(locale, { dateStyle: "medium", timeZone: "UTC" }), (t) => new Date(`${t.slice(0, 10)}T00:00:00Z`));
    case "DateTime":
      return dated(dateFormat(locale, { dateStyle: "medium", timeStyle: "short" }), (t) => new Date(t));
    case "Time":
      return dated(dateFormat(locale, { timeStyle: "medium", timeZone: "UTC" }), timeOfDay);
    case "Enum": {
      const labels = new Map(enumOf(column.kind)!.members.map((m) => [m.name, memberLabel(m)]));
      return (value) => labels.get(String(value)) ?? String(value);
    }
    case "Binary": {
      const bytes = numberFormat(locale, { maximumFractionDigits: 0 });
      // Base64: four characters carry three bytes.
      return (value) => `Binary data, ${bytes.format(Math.floor((String(value).replace(/=+$/, "").length * 3) / 4))} bytes`;
    }
    default:
      return plainText;
  }
}

/** A value of no known type: objects as JSON, the rest as text. */
export const plainText: Formatter = (value) =>
  value === null || value === undefined ? EMPTY : typeof value === "object" ? JSON.stringify(value) : String(value);

const cache = new WeakMap<Column, Formatter>();

/** The column's formatter; null and missing values become {@link EMPTY}. */
export function formatterFor(column: Column, locale?: string): Formatter {
  const cached = locale === undefined ? cache.get(column) : undefined;
  if (cached) return cached;
  const format = build(column, locale ?? displayLocale());
  const formatter: Formatter = (value) => (value === null || value === undefined ? EMPTY : format(value));
  if (locale === undefined) cache.set(column, formatter);
  return formatter;
}

/** The cell's alignment and font: numbers right-aligned, IDs monospace. */
export function cellClass(column: Column): string {
  const tag = kindTag(column.kind);
  if (tag === "Integer" || tag === "Decimal" || tag === "Money") return "num";
  return tag === "Guid" ? "mono" : "";
}
