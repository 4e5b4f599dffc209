import { describe, expect, it } from "vitest";
import type { CheckResult } from "../bindings/CheckResult";
import type { Status } from "../bindings/Status";
import { checkSummary, worstFirst } from "./checkSummary";

const result = (id: string, status: Status): CheckResult => ({ id, title: id, status, detail: "", fix: null, details: null, setting: null, millis: 1 });

describe("the check summary", () => {
  it("says all passed with the count when nothing else happened", () => {
    expect(checkSummary([result("a", "Pass"), result("b", "Pass")])).toEqual({ text: "All 2 checks passed", tone: "ok" });
  });

  it("puts failures, then warnings, then what did not run before the passes", () => {
    const results = [result("a", "Pass"), result("b", "Warn"), result("c", "Skip"), result("d", "Fail"), result("e", "Pass")];
    expect(checkSummary(results)).toEqual({ text: "1 failed · 1 warning · 1 not run · 2 passed", tone: "bad" });
    expect(worstFirst(results).map((r) => r.id)).toEqual(["d", "b", "c", "a", "e"]);
  });

  it("is a warning, not a failure, when only warnings stand out", () => {
    expect(checkSummary([result("a", "Warn"), result("b", "Warn"), result("c", "Pass")])).toEqual({ text: "2 warnings · 1 passed", tone: "warn" });
  });
});
