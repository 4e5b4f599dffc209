import { describe, expect, it } from "vitest";
import { describeFilter } from "./filterSummary";
import { CUSTOMER_COLUMNS, CUSTOMER_TYPE, NOYES, column } from "./test/fixtures";

const dataverse = [column("customertypecode", CUSTOMER_TYPE, { label: "Customer type" }), column("name", "Text", { label: "Account name" })];

describe("the applied filter in words", () => {
  it("reads a Dataverse choice by its label", () => {
    expect(describeFilter("customertypecode eq 8", dataverse)).toBe("Customer type is Prospect");
    expect(describeFilter("customertypecode ne 3", dataverse)).toBe("Customer type is not Customer");
  });

  it("reads BC's quoted members and F&O's qualified ones", () => {
    expect(describeFilter("blocked eq 'Ship'", CUSTOMER_COLUMNS)).toBe("Blocked is Ship");
    expect(describeFilter("blocked eq Microsoft.NAV.customerBlocked'_x0020_'", CUSTOMER_COLUMNS)).toBe("Blocked is (blank)");
    const fno = [column("IsActive", NOYES, { label: "Is active" })];
    expect(describeFilter("IsActive eq Microsoft.Dynamics.DataEntities.NoYes'Yes'", fno)).toBe("Is active is Yes");
  });

  it("joins conditions with and, text quoted, booleans as Yes and No", () => {
    expect(describeFilter("startswith(displayName,'O''B') and blocked ne 'All' and taxLiable eq false", CUSTOMER_COLUMNS)).toBe(
      "Display name starts with “O'B” and Blocked is not All and Tax liable is No",
    );
    expect(describeFilter("contains(name,'a and b') and name ne null", dataverse)).toBe("Account name contains “a and b” and Account name is not empty");
    expect(describeFilter("balance gt 1000", CUSTOMER_COLUMNS)).toBe("Balance is greater than 1000");
  });

  it("gives up on what the builder never writes, so the expression is shown instead", () => {
    expect(describeFilter("blocked eq 'Ship' or balance gt 1", CUSTOMER_COLUMNS)).toBeNull();
    expect(describeFilter("balance gt 100 or taxLiable eq true", CUSTOMER_COLUMNS)).toBeNull();
    expect(describeFilter("(balance gt 1)", CUSTOMER_COLUMNS)).toBeNull();
    expect(describeFilter("nosuch eq 1", CUSTOMER_COLUMNS)).toBeNull();
    expect(describeFilter("blocked eq 'Nope'", CUSTOMER_COLUMNS)).toBeNull();
    expect(describeFilter("contains(balance,'1')", CUSTOMER_COLUMNS)).toBeNull();
    expect(describeFilter("displayName eq 'unclosed", CUSTOMER_COLUMNS)).toBeNull();
  });
});
