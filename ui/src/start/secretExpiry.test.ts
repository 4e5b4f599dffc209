import { describe, expect, it } from "vitest";
import { expiryDate, expiryLine } from "./secretExpiry";

describe("the secret expiry line", () => {
  const line = (days_left: number, state: "Fine" | "ExpiringSoon" | "Expired") => expiryLine({ expires_on: "2027-06-01", days_left, state });

  it("counts the days in the core's state's tone", () => {
    expect(line(200, "Fine")).toEqual({ text: `Secret expires in 200 days (${expiryDate("2027-06-01")})`, tone: "fine" });
    expect(line(10, "ExpiringSoon").text).toMatch(/^Secret expires in 10 days \(/);
    expect(line(10, "ExpiringSoon").tone).toBe("soon");
    expect(line(-3, "Expired")).toMatchObject({ text: expect.stringMatching(/^Secret expired 3 days ago/), tone: "expired" });
  });

  it("says today, tomorrow and yesterday in words", () => {
    expect(line(0, "ExpiringSoon").text).toMatch(/^Secret expires today/);
    expect(line(1, "ExpiringSoon").text).toMatch(/^Secret expires tomorrow/);
    expect(line(-1, "Expired").text).toMatch(/^Secret expired yesterday/);
  });

  it("shows the calendar day it names, the first and the last of a month alike", () => {
    expect(expiryDate("2027-06-01")).toMatch(/\b1\b.*2027|2027.*\b1\b/);
    expect(expiryDate("2027-06-01")).not.toMatch(/31/);
    expect(expiryDate("2027-12-31")).toMatch(/31/);
    expect(expiryDate("2027-12-31")).not.toMatch(/2028/);
  });
});
