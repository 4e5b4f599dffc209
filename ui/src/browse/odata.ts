// OData `$filter` and `$orderby` text from what the user picked. Pure: every
// literal rule here is unit-tested (odata.test.ts).
import type { Column } from "../bindings/Column";
import type { EnumType } from "../bindings/EnumType";
import { enumOf, isComparable, kindTag, type KindTag } from "./columns";

export type Operator = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "contains" | "startswith";

const ORDERED: Operator[] = ["eq", "ne", "gt", "ge", "lt", "le"];
const EQUALITY: Operator[] = ["eq", "ne"];

/** The operators that make sense for a column; none for blobs and untyped values. */
export function operatorsFor(column: Column): Operator[] {
  switch (kindTag(column.kind)) {
    case "Text":
      return [...ORDERED, "contains", "startswith"];
    case "Integer":
    case "Decimal":
    case "Money":
    case "Date":
    case "DateTime":
    case "Time":
      return ORDERED;
    case "Boolean":
    case "Guid":
    case "Enum":
      return EQUALITY;
    default:
      return [];
  }
}

const WORDS: Record<Operator, string> = {
  eq: "equals",
  ne: "does not equal",
  gt: "is greater than",
  ge: "is at least",
  lt: "is less than",
  le: "is at most",
  contains: "contains",
  startswith: "starts with",
};
const IS_WORDS: Partial<Record<Operator, string>> = {
  eq: "is",
  ne: "is not",
  gt: "is after",
  ge: "is on or after",
  lt: "is before",
  le: "is on or before",
};

/** Plain words for an operator: "is after" reads better than "gt" for a
 *  date, "is" than "equals" for a choice. */
export function operatorLabel(column: Column, op: Operator): string {
  const tag = kindTag(column.kind);
  const isLike = ["Date", "DateTime", "Time", "Enum", "Boolean"].includes(tag);
  return (isLike && IS_WORDS[op]) || WORDS[op];
}

export type Literal = { literal: string } | { problem: string };

/** `'O''Brien'`: OData doubles a quote inside a string literal. */
export const stringLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const bare = (text: string) => text.replace(/^\+/, "");

/**
 * A datetime as OData's ISO form in UTC. A value without a zone (what
 * `<input type="datetime-local">` gives) is the user's local time, the same
 * zone the grid shows datetimes in.
 */
function dateTimeLiteral(text: string): Literal {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    return { problem: "Enter a date and time." };
  }
  return { literal: date.toISOString().replace(".000Z", "Z") };
}

/** Business Central's enum types live in this namespace. */
const BC_NAMESPACE = "Microsoft.NAV.";

/**
 * Dataverse rows hold the option's number (its member name is that number)
 * and filter with the bare number: `customertypecode eq 8`. Business Central
 * documents enums filtered by the member name in quotes (`status eq 'Open'`,
 * "Using filters with OData/API calls"). F&O needs the qualified literal
 * `Microsoft.Dynamics.DataEntities.NoYes'Yes'`.
 */
function enumLiteral(type: EnumType, name: string): Literal {
  const member = type.members.find((m) => m.name === name);
  if (!member) return { problem: "Choose one of the values." };
  if (member.name === String(member.value)) return { literal: member.name };
  return type.name.startsWith(BC_NAMESPACE)
    ? { literal: stringLiteral(member.name) }
    : { literal: `${type.name}${stringLiteral(member.name)}` };
}

/** The OData literal for what the user typed in a column's value field. */
export function literalFor(column: Column, text: string): Literal {
  const value = text.trim();
  const tag: KindTag = kindTag(column.kind);
  if (value === "" && tag !== "Text") return { problem: "Enter a value." };
  switch (tag) {
    case "Text":
      return text === "" ? { problem: "Enter a value." } : { literal: stringLiteral(text) };
    case "Integer":
      return INTEGER.test(value) ? { literal: bare(value) } : { problem: "Enter a whole number, like 42." };
    case "Decimal":
    case "Money":
      return DECIMAL.test(value)
        ? { literal: bare(value) }
        : { problem: "Enter a number with a dot for decimals, like 1234.56." };
    case "Boolean":
      return value === "true" || value === "false" ? { literal: value } : { problem: "Choose Yes or No." };
    case "Date":
      return DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? { literal: value }
        : { problem: "Enter a date like 2024-01-31." };
    case "DateTime":
      return dateTimeLiteral(value);
    case "Time": {
      const m = TIME.exec(value);
      return m ? { literal: `${m[1]}:${m[2]}:${m[3] ?? "00"}${m[4] ?? ""}` } : { problem: "Enter a time like 14:30." };
    }
    case "Guid": {
      const guid = value.replace(/^\{(.*)\}$/, "$1");
      return GUID.test(guid)
        ? { literal: guid }
        : { problem: "Enter an ID like 00000000-0000-0000-0000-000000000000." };
    }
    case "Enum":
      return enumLiteral(enumOf(column.kind)!, value);
    default:
      return { problem: "This column cannot be filtered." };
  }
}

export interface Condition {
  id: number;
  column: string;
  op: Operator;
  value: string;
}

/** One comparison, or why it cannot be written yet. */
export function conditionExpression(column: Column, op: Operator, value: string): Literal {
  if (!isComparable(column) || !operatorsFor(column).includes(op)) {
    return { problem: "This comparison does not fit the column." };
  }
  const lit = literalFor(column, value);
  if ("problem" in lit) return lit;
  return {
    literal: op === "contains" || op === "startswith" ? `${op}(${column.name},${lit.literal})` : `${column.name} ${op} ${lit.literal}`,
  };
}

export interface BuiltFilter {
  /** The complete conditions joined by `and`; "" when there are none. */
  expression: string;
  /** Why a condition was left out, by condition id. */
  problems: Map<number, string>;
}

export function buildFilter(conditions: readonly Condition[], columns: readonly Column[]): BuiltFilter {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const parts: string[] = [];
  const problems = new Map<number, string>();
  for (const condition of conditions) {
    const column = byName.get(condition.column);
    const built = column
      ? conditionExpression(column, condition.op, condition.value)
      : { problem: "Choose a column." };
    if ("literal" in built) parts.push(built.literal);
    else problems.set(condition.id, built.problem);
  }
  return { expression: parts.join(" and "), problems };
}

export interface SortKey {
  id: string;
  desc: boolean;
}

/** `$orderby` items: `name asc` or `name desc`. */
export const orderbyOf = (sorting: readonly SortKey[]): string[] =>
  sorting.map((s) => `${s.id} ${s.desc ? "desc" : "asc"}`);
