import type { LastCheck } from "../bindings/LastCheck";
import type { UserError } from "../bindings/UserError";
import { lastCheckSummary } from "../steps/checkSummary";

/** Where a saved connection's checks stand on the start page. */
export type CheckState = { at: "idle"; last: LastCheck | null } | { at: "checking" } | { at: "could-not-run"; problem: UserError };

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** "Checked Dec 5, 09:58: 1 warning · 15 passed", or what is happening. */
export function LastCheckLine({ state }: { state: CheckState }) {
  if (state.at === "checking") {
    return (
      <span className="last-check" data-state="checking">
        Checking…
      </span>
    );
  }
  if (state.at === "could-not-run") {
    return (
      <span className="last-check" data-state="bad">
        Could not check: {state.problem.message} {state.problem.fix}
      </span>
    );
  }
  if (!state.last) {
    return (
      <span className="last-check muted" data-state="never">
        Not checked yet
      </span>
    );
  }
  const summary = lastCheckSummary(state.last);
  return (
    <span className="last-check" data-state={summary.tone}>
      Checked {when(state.last.at)}: {summary.text}
    </span>
  );
}
