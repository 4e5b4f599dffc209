// How a finished check run reads at a glance: failures first, then
// warnings, in one line ("1 failed · 1 warning · 10 passed").
import type { CheckResult } from "../bindings/CheckResult";
import type { Status } from "../bindings/Status";

const ORDER: Status[] = ["Fail", "Warn", "Skip", "Pass"];
const WORDS: Record<Status, (n: string) => string> = {
  Fail: (n) => `${n} failed`,
  Warn: (n) => `${n} warning${n === "1" ? "" : "s"}`,
  Skip: (n) => `${n} not run`,
  Pass: (n) => `${n} passed`,
};

export type SummaryTone = "ok" | "warn" | "bad";

export function checkSummary(results: CheckResult[]): { text: string; tone: SummaryTone } {
  const count = (status: Status) => results.filter((r) => r.status === status).length;
  const failed = count("Fail");
  const warned = count("Warn");
  const tone: SummaryTone = failed ? "bad" : warned ? "warn" : "ok";
  if (results.length > 0 && count("Pass") === results.length) {
    return { text: `All ${results.length.toLocaleString()} checks passed`, tone };
  }
  const text = ORDER.filter((s) => count(s) > 0)
    .map((s) => WORDS[s](count(s).toLocaleString()))
    .join(" · ");
  return { text, tone };
}

/** Failures first, then warnings, checks that could not run, and passes; in run order within each. */
export function worstFirst(results: CheckResult[]): CheckResult[] {
  return [...results].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
}
