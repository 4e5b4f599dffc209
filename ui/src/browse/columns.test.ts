import { describe, expect, it } from "vitest";
import { isIdentity, memberLabel, readingOrder } from "./columns";
import { CUSTOMER_COLUMNS, column } from "./test/fixtures";

const names = (columns: { name: string }[]) => columns.map((c) => c.name);

describe("reading order", () => {
  it("puts BC's id after the columns people read, in the service's order otherwise", () => {
    expect(names(readingOrder(CUSTOMER_COLUMNS))).toEqual([
      "number",
      "displayName",
      "balance",
      "blocked",
      "taxLiable",
      "lastModifiedDateTime",
      "picture",
      "id",
    ]);
  });

  it("puts Dataverse's key and lookups last, keeping their own order", () => {
    const account = [
      column("accountid", "Guid", { key: true }),
      column("_parentaccountid_value", "Guid"),
      column("name", "Text"),
      column("accountnumber", "Text"),
      column("_ownerid_value", { Other: "Edm.Guid" }),
      column("address1_city", "Text"),
    ];
    expect(names(readingOrder(account))).toEqual(["name", "accountnumber", "address1_city", "accountid", "_parentaccountid_value", "_ownerid_value"]);
  });

  it("leaves readable keys in place (F&O's account numbers)", () => {
    const customers = [column("dataAreaId", "Text", { key: true }), column("CustomerAccount", "Text", { key: true }), column("Name", "Text")];
    expect(names(readingOrder(customers))).toEqual(["dataAreaId", "CustomerAccount", "Name"]);
    expect(isIdentity(customers[1])).toBe(false);
  });
});

describe("enum member labels", () => {
  it("name BC's blank member instead of showing nothing", () => {
    expect(memberLabel({ name: "_x0020_", value: 0, label: "" })).toBe("(blank)");
    expect(memberLabel({ name: "Ship", value: 1, label: "Ship" })).toBe("Ship");
  });
});
