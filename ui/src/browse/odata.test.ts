import { describe, expect, it } from "vitest";
import { buildFilter, conditionExpression, literalFor, operatorLabel, operatorsFor, orderbyOf, stringLiteral } from "./odata";
import { BLOCKED, CUSTOMER_TYPE, NOYES, STATE, column } from "./test/fixtures";

const text = column("name", "Text");
const lit = (kind: Parameters<typeof column>[1], value: string) => literalFor(column("c", kind), value);

describe("OData literals", () => {
  it("quotes strings and doubles quotes inside them", () => {
    expect(stringLiteral("O'Brien's")).toBe("'O''Brien''s'");
    expect(lit("Text", "Seattle")).toEqual({ literal: "'Seattle'" });
    expect(lit("Text", " padded ")).toEqual({ literal: "' padded '" });
    expect(lit("Text", "")).toHaveProperty("problem");
  });

  it("writes numbers bare and refuses what is not a number", () => {
    expect(lit("Integer", "42")).toEqual({ literal: "42" });
    expect(lit("Integer", "-7")).toEqual({ literal: "-7" });
    expect(lit("Integer", "+7")).toEqual({ literal: "7" });
    expect(lit("Integer", "4.2")).toEqual({ problem: "Enter a whole number, like 42." });
    expect(lit("Decimal", "1234.56")).toEqual({ literal: "1234.56" });
    expect(lit("Money", " .5 ")).toEqual({ literal: ".5" });
    expect(lit("Decimal", "1,234.56")).toHaveProperty("problem");
    expect(lit("Money", "12abc")).toHaveProperty("problem");
    expect(lit("Decimal", "")).toEqual({ problem: "Enter a value." });
  });

  it("writes booleans as true and false", () => {
    expect(lit("Boolean", "true")).toEqual({ literal: "true" });
    expect(lit("Boolean", "false")).toEqual({ literal: "false" });
    expect(lit("Boolean", "yes")).toHaveProperty("problem");
  });

  it("writes dates as YYYY-MM-DD and times as hh:mm:ss", () => {
    expect(lit("Date", "2024-01-31")).toEqual({ literal: "2024-01-31" });
    expect(lit("Date", "31/01/2024")).toHaveProperty("problem");
    expect(lit("Date", "2024-13-45")).toHaveProperty("problem");
    expect(lit("Time", "14:30")).toEqual({ literal: "14:30:00" });
    expect(lit("Time", "14:30:15.5")).toEqual({ literal: "14:30:15.5" });
    expect(lit("Time", "2pm")).toHaveProperty("problem");
  });

  it("writes datetimes as ISO in UTC, reading a zoneless value as local time", () => {
    expect(lit("DateTime", "2024-01-31T10:00:00Z")).toEqual({ literal: "2024-01-31T10:00:00Z" });
    expect(lit("DateTime", "2024-01-31T10:00:00+02:00")).toEqual({ literal: "2024-01-31T08:00:00Z" });
    expect(lit("DateTime", "2024-01-31T10:00:00.250Z")).toEqual({ literal: "2024-01-31T10:00:00.250Z" });
    const local = new Date(2024, 0, 31, 10, 0, 0).toISOString().replace(".000Z", "Z");
    expect(lit("DateTime", "2024-01-31T10:00")).toEqual({ literal: local });
    expect(lit("DateTime", "2024-01-31")).toHaveProperty("problem");
    expect(lit("DateTime", "soon")).toHaveProperty("problem");
  });

  it("writes GUIDs bare, braces removed", () => {
    const guid = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
    expect(lit("Guid", guid)).toEqual({ literal: guid });
    expect(lit("Guid", `{${guid.toUpperCase()}}`)).toEqual({ literal: guid.toUpperCase() });
    expect(lit("Guid", "6f9619ff")).toHaveProperty("problem");
  });

  it("writes BC enums as the quoted member, F&O's as Namespace.Type'Member', Dataverse choices as numbers", () => {
    expect(lit(BLOCKED, "Ship")).toEqual({ literal: "'Ship'" });
    expect(lit(BLOCKED, "_x0020_")).toEqual({ literal: "'_x0020_'" });
    expect(lit(BLOCKED, "Nope")).toEqual({ problem: "Choose one of the values." });
    expect(lit(NOYES, "Yes")).toEqual({ literal: "Microsoft.Dynamics.DataEntities.NoYes'Yes'" });
    expect(lit(STATE, "1")).toEqual({ literal: "1" });
    expect(conditionExpression(column("customertypecode", CUSTOMER_TYPE), "eq", "8")).toEqual({ literal: "customertypecode eq 8" });
    expect(conditionExpression(column("blocked", BLOCKED), "eq", "Ship")).toEqual({ literal: "blocked eq 'Ship'" });
  });

  it("cannot filter blobs or untyped values", () => {
    expect(lit("Binary", "x")).toHaveProperty("problem");
    expect(operatorsFor(column("c", "Binary"))).toEqual([]);
    expect(operatorsFor(column("c", { Other: "Edm.Stream" }))).toEqual([]);
  });
});

describe("operators", () => {
  it("fit the type", () => {
    expect(operatorsFor(text)).toEqual(["eq", "ne", "gt", "ge", "lt", "le", "contains", "startswith"]);
    for (const kind of ["Integer", "Decimal", "Money", "Date", "DateTime", "Time"] as const) {
      expect(operatorsFor(column("c", kind))).toEqual(["eq", "ne", "gt", "ge", "lt", "le"]);
    }
    for (const kind of ["Boolean", "Guid", BLOCKED] as const) {
      expect(operatorsFor(column("c", kind))).toEqual(["eq", "ne"]);
    }
  });

  it("read as plain words, dates as before and after, choices as is and is not", () => {
    expect(operatorLabel(text, "ge")).toBe("is at least");
    expect(operatorLabel(text, "eq")).toBe("equals");
    expect(operatorLabel(column("c", CUSTOMER_TYPE), "eq")).toBe("is");
    expect(operatorLabel(column("b", "Boolean"), "ne")).toBe("is not");
    expect(operatorLabel(column("d", "Date"), "gt")).toBe("is after");
    expect(operatorLabel(column("d", "DateTime"), "le")).toBe("is on or before");
  });
});

describe("conditions", () => {
  it("write comparisons and functions", () => {
    expect(conditionExpression(text, "eq", "O'Neil")).toEqual({ literal: "name eq 'O''Neil'" });
    expect(conditionExpression(text, "contains", "sea")).toEqual({ literal: "contains(name,'sea')" });
    expect(conditionExpression(text, "startswith", "Sea")).toEqual({ literal: "startswith(name,'Sea')" });
    expect(conditionExpression(column("n", "Integer"), "ge", "10")).toEqual({ literal: "n ge 10" });
  });

  it("refuse an operator that does not fit the column", () => {
    expect(conditionExpression(column("b", "Boolean"), "gt", "true")).toHaveProperty("problem");
    expect(conditionExpression(column("n", "Integer"), "contains", "1")).toHaveProperty("problem");
  });

  it("join complete conditions with and, and say why the others are left out", () => {
    const columns = [text, column("balance", "Decimal"), column("blocked", BLOCKED), column("taxLiable", "Boolean")];
    const built = buildFilter(
      [
        { id: 1, column: "name", op: "startswith", value: "A" },
        { id: 2, column: "balance", op: "gt", value: "abc" },
        { id: 3, column: "blocked", op: "ne", value: "All" },
        { id: 4, column: "taxLiable", op: "eq", value: "false" },
        { id: 5, column: "gone", op: "eq", value: "x" },
      ],
      columns,
    );
    expect(built.expression).toBe("startswith(name,'A') and blocked ne 'All' and taxLiable eq false");
    expect([...built.problems.keys()]).toEqual([2, 5]);
    expect(buildFilter([], columns).expression).toBe("");
  });
});

describe("orderby", () => {
  it("writes name asc and name desc", () => {
    expect(orderbyOf([{ id: "displayName", desc: false }])).toEqual(["displayName asc"]);
    expect(orderbyOf([{ id: "balance", desc: true }])).toEqual(["balance desc"]);
    expect(orderbyOf([])).toEqual([]);
  });
});
