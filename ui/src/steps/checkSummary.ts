// How a finished check run reads at a glance: failures first, then
// warnings, in one line ("1 failed · 1 warning · 10 passed").
import type { CheckResult } from "../bindings/CheckResult";
import type { LastCheck } from "../bindings/LastCheck";
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
  return summaryOf((status) => results.filter((r) => r.status === status).length);
}

/** The same line from a saved check's counts (the start page's last check). */
export function lastCheckSummary(check: LastCheck): { text: string; tone: SummaryTone } {
  const counts: Record<Status, number> = { Fail: check.failed, Warn: check.warnings, Skip: check.skipped, Pass: check.passed };
  return summaryOf((status) => counts[status]);
}

function summaryOf(count: (status: Status) => number): { text: string; tone: SummaryTone } {
  const total = ORDER.reduce((sum, s) => sum + count(s), 0);
  const tone: SummaryTone = count("Fail") ? "bad" : count("Warn") ? "warn" : "ok";
  if (total > 0 && count("Pass") === total) {
    return { text: `All ${total.toLocaleString()} checks passed`, tone };
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
