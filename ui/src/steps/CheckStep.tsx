import { useState } from "react";
import type { CheckResult } from "../bindings/CheckResult";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { ReportSaver } from "../components/ReportSaver";
import { useDraft } from "../connection/DraftContext";
import { problemOf } from "../connection/useCall";
import { runChecks, saveReport } from "../ipc";
import { ReplaceDraftSecret } from "../setup/ReplaceSecret";
import { checkSummary, worstFirst } from "./checkSummary";
import { useStepStatus } from "../wizard/progress";
import { whereToChange } from "../wizard/steps";

/** Every check, live, then a report to hand on. */
export function CheckStep() {
  const { draft } = useDraft();
  const [results, setResults] = useState<CheckResult[]>([]);
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<UserError | null>(null);
  const [replacing, setReplacing] = useState(false);
  useStepStatus("check", !running && results.length > 0 && results.every((r) => r.status !== "Fail"), null);

  const run = async () => {
    setResults([]);
    setProblem(null);
    setRunning(true);
    try {
      await runChecks(draft.name, (r) => setResults((all) => [...all, r]));
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setRunning(false);
    }
  };

  if (!draft.saved) return <p className="notice">Connect first (the Connect step), then run the checks here.</p>;
  const summary = checkSummary(results);
  // Sorted once the run is over, so rows do not jump while they arrive.
  const shown = running ? results : worstFirst(results);
  return (
    <div className="step-body">
      <section className="card">
        <div className="actions">
          <button type="button" className="button primary" data-testid="run-checks" onClick={() => void run()} disabled={running}>
            {running ? "Checking…" : results.length ? "Run the checks again" : "Run the checks"}
          </button>
          {!running && results.length > 0 && (
            <span data-testid="checks-summary" className={`checks-summary ${summary.tone}`} data-tone={summary.tone}>
              {summary.text}
            </span>
          )}
        </div>
        <ol className="check-list" aria-live="polite" data-testid="check-results">
          {shown.map((r) => (
            <li key={r.id} className={`check ${r.status.toLowerCase()}`} data-testid={`check-${r.id}`} data-status={r.status}>
              <span className="badge">{r.status}</span>
              <div>
                <strong>{r.title}</strong>
                <p>{r.detail}</p>
                {r.fix && r.status !== "Pass" && (
                  <p className="check-fix">
                    <strong>What to do: </strong>
                    {r.fix}
                    {r.setting && <> You change it on {whereToChange(r.setting)}.</>}
                  </p>
                )}
                {r.id === "secret-expiry" && (r.status === "Warn" || r.status === "Fail") && !replacing && (
                  <button type="button" className="button small" data-testid="replace-secret-offer" onClick={() => setReplacing(true)}>
                    Replace the secret
                  </button>
                )}
                {r.details && (
                  <details>
                    <summary>Details</summary>
                    <pre>{r.details}</pre>
                  </details>
                )}
              </div>
            </li>
          ))}
        </ol>
      </section>
      {replacing && <ReplaceDraftSecret onClose={() => setReplacing(false)} />}
      {problem && <ErrorPanel problem={problem} />}
      <section className="card form">
        <h2>Save a report</h2>
        <p className="muted">The report lists the connection, every check and what to fix. It never contains a secret or a token.</p>
        <ReportSaver
          target={(format) => ({ kind: "Report", connection: draft.name, format })}
          write={(format, path) => saveReport(draft.name, format, path)}
        />
      </section>
    </div>
  );
}
