// An applied $filter read back in words for the folded filter line:
// "Customer type is Customer and Name starts with “A”". Only what the
// filter builder writes is read (comparisons and contains/startswith
// joined by `and`); anything else is shown as the expression itself.
import type { Column } from "../bindings/Column";
import type { EnumType } from "../bindings/EnumType";
import { enumOf, kindTag, memberLabel } from "./columns";
import { operatorLabel, operatorsFor, type Operator } from "./odata";

/** The expression cut at each top-level ` and `, or null if it has
 *  parentheses of its own (grouping the builder never writes). */
function conjuncts(expression: string): string[] | null {
  const parts: string[] = [];
  let quoted = false;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    // A doubled quote inside a string toggles twice: still inside.
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && expression.startsWith(" and ", i)) {
      parts.push(expression.slice(start, i));
      start = i + " and ".length;
    }
  }
  parts.push(expression.slice(start));
  return quoted || depth !== 0 ? null : parts.map((p) => p.trim());
}

const STRING = /^'((?:[^']|'')*)'$/;
const unquote = (literal: string): string | null => {
  const m = STRING.exec(literal);
  return m ? m[1].replaceAll("''", "'") : null;
};

/** The member a literal names: `8`, `'Ship'` or `Namespace.Type'Ship'`. */
function memberOf(type: EnumType, literal: string) {
  const qualified = literal.startsWith(`${type.name}'`) ? literal.slice(type.name.length) : literal;
  const name = unquote(qualified) ?? literal;
  return type.members.find((m) => m.name === name);
}

/** The literal as people read it, or null when it does not fit the column. */
function valueText(column: Column, literal: string): string | null {
  const type = enumOf(column.kind);
  if (type) {
    const member = memberOf(type, literal);
    return member ? memberLabel(member) : null;
  }
  switch (kindTag(column.kind)) {
    case "Text": {
      const text = unquote(literal);
      return text === null ? null : `“${text}”`;
    }
    case "Boolean":
      return literal === "true" ? "Yes" : literal === "false" ? "No" : null;
    default:
      // Numbers, dates, GUIDs: one word, or more than one condition.
      return /^[^\s'()]+$/.test(literal) ? literal : null;
  }
}

const COMPARISON = /^([\w.]+) (eq|ne|gt|ge|lt|le) (.+)$/;
const CALL = /^(contains|startswith)\(([\w.]+),\s*('(?:[^']|'')*')\)$/;

/** One condition as `name op literal`, whichever way the builder wrote it. */
function parse(text: string): { name: string; op: string; literal: string } | null {
  const call = CALL.exec(text);
  if (call) return { name: call[2], op: call[1], literal: call[3] };
  const comparison = COMPARISON.exec(text);
  return comparison ? { name: comparison[1], op: comparison[2], literal: comparison[3] } : null;
}

function describeOne(text: string, byName: ReadonlyMap<string, Column>): string | null {
  const condition = parse(text);
  const column = condition && byName.get(condition.name);
  if (!condition || !column) return null;
  const op = condition.op as Operator;
  if (!operatorsFor(column).includes(op)) return null;
  if (condition.literal === "null" && (op === "eq" || op === "ne")) {
    return `${column.label} ${op === "eq" ? "is empty" : "is not empty"}`;
  }
  const value = valueText(column, condition.literal);
  return value === null ? null : `${column.label} ${operatorLabel(column, op)} ${value}`;
}

/** The filter in words, or null when only the expression can say it. */
export function describeFilter(expression: string, columns: readonly Column[]): string | null {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const parts = conjuncts(expression.trim());
  if (!parts) return null;
  const words = parts.map((part) => describeOne(part, byName));
  return words.every((w) => w !== null) ? words.join(" and ") : null;
}
