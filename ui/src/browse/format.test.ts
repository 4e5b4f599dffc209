import { describe, expect, it } from "vitest";
import { columnWidth, defaultSelection } from "./columns";
import { EMPTY, cellClass, formatterFor } from "./format";
import { BLOCKED, CUSTOMER_COLUMNS, STATE, column } from "./test/fixtures";

const en = (kind: Parameters<typeof column>[1], value: unknown, extra = {}) =>
  formatterFor(column("c", kind, extra), "en-US")(value);

describe("cell formatting", () => {
  it("shows null and missing values as an em dash", () => {
    expect(en("Text", null)).toBe(EMPTY);
    expect(en("Decimal", undefined)).toBe(EMPTY);
    expect(EMPTY).toBe("—");
  });

  it("groups numbers in the locale, money with two decimals", () => {
    expect(en("Integer", 1234567)).toBe("1,234,567");
    expect(en("Decimal", 1234.5)).toBe("1,234.5");
    expect(en("Decimal", "1234.125")).toBe("1,234.125");
    expect(en("Decimal", 1.23456, { scale: 2 })).toBe("1.23");
    expect(en("Money", 1234.5)).toBe("1,234.50");
    expect(formatterFor(column("c", "Money"), "de-DE")(1234.5)).toBe("1.234,50");
    expect(en("Decimal", "n/a")).toBe("n/a");
  });

  it("shows booleans as Yes and No", () => {
    expect(en("Boolean", true)).toBe("Yes");
    expect(en("Boolean", false)).toBe("No");
  });

  it("shows enum members by label, Dataverse choices by number", () => {
    expect(en(BLOCKED, "Ship")).toBe("Ship");
    expect(en(BLOCKED, "_x0020_")).toBe("(blank)");
    expect(en(STATE, 1)).toBe("Inactive");
    expect(en(BLOCKED, "Unknown")).toBe("Unknown");
  });

  it("shows dates without moving them a day, datetimes in local time", () => {
    expect(en("Date", "2024-01-31")).toBe("Jan 31, 2024");
    expect(formatterFor(column("c", "Date"), "de-DE")("2024-01-31")).toBe("31.01.2024");
    const instant = "2024-01-31T10:00:00Z";
    const expected = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" }).format(new Date(instant));
    expect(en("DateTime", instant)).toBe(expected);
    expect(en("Time", "14:30:05")).toBe("2:30:05 PM");
    expect(en("DateTime", "not a date")).toBe("not a date");
  });

  it("keeps GUIDs and text as sent, sizes binary data", () => {
    expect(en("Guid", "6f9619ff-8b86-d011-b42d-00c04fc964ff")).toBe("6f9619ff-8b86-d011-b42d-00c04fc964ff");
    expect(en("Binary", "AAECAw==")).toBe("Binary data, 4 bytes");
    expect(en({ Other: "Edm.Geography" }, { type: "Point" })).toBe('{"type":"Point"}');
  });

  it("builds a column's formatter once", () => {
    const c = column("c", "Money");
    expect(formatterFor(c)).toBe(formatterFor(c));
  });

  it("right-aligns numbers and sets IDs in monospace", () => {
    expect(cellClass(column("c", "Money"))).toBe("num");
    expect(cellClass(column("c", "Guid"))).toBe("mono");
    expect(cellClass(column("c", "Text"))).toBe("");
  });
});

describe("default columns", () => {
  it("are the keys and useful columns in the service's order, no blobs or references", () => {
    const columns = [...CUSTOMER_COLUMNS, column("currencyId", "Guid"), column("_ownerid_value", "Guid")];
    expect(defaultSelection(columns)).toEqual(["id", "number", "displayName", "balance", "blocked", "taxLiable", "lastModifiedDateTime"]);
  });

  it("stop at the limit, name-like text first", () => {
    const many = [column("key", "Integer", { key: true }), ...Array.from({ length: 300 }, (_, i) => column(`field${i}`, "Integer")), column("name", "Text")];
    const chosen = defaultSelection(many);
    expect(chosen).toHaveLength(9);
    expect(chosen[0]).toBe("key");
    expect(chosen).toContain("name");
  });

  it("fall back to the first columns when none is worth a look", () => {
    expect(defaultSelection([column("a", "Binary"), column("b", "Guid")])).toEqual(["a", "b"]);
  });

  it("have widths that fit their type", () => {
    expect(columnWidth(column("g", "Guid"))).toBeGreaterThan(columnWidth(column("b", "Boolean")));
    // IDs go last and narrow: about 9rem, not the 36 characters of a GUID.
    expect(columnWidth(column("g", "Guid"))).toBeLessThanOrEqual(150);
    expect(columnWidth(column("t", "Text", { max_length: 10 }))).toBeLessThan(columnWidth(column("t", "Text")));
  });
});
