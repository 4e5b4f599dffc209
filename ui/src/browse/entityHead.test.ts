import { describe, expect, it } from "vitest";
import { nameRepeatsLabel } from "./EntityHead";

describe("the entity's heading", () => {
  it("does not repeat a technical name that only spells the label differently", () => {
    expect(nameRepeatsLabel({ name: "customers", label: "Customers" })).toBe(true);
    expect(nameRepeatsLabel({ name: "generalLedgerEntries", label: "General Ledger Entries" })).toBe(true);
    expect(nameRepeatsLabel({ name: "account", label: "Accounts" })).toBe(true);
    expect(nameRepeatsLabel({ name: "CustomersV3", label: "Customers V3" })).toBe(true);
  });

  it("keeps a technical name that tells something new", () => {
    expect(nameRepeatsLabel({ name: "SalesOrderHeadersV2", label: "Sales order headers" })).toBe(false);
    expect(nameRepeatsLabel({ name: "msdyn_workorder", label: "Work Order" })).toBe(false);
  });
});
