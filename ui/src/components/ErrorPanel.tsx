import { useState } from "react";
import type { UserError } from "../bindings/UserError";
import { whereToChange } from "../wizard/steps";

/** A problem in plain words first, what to do next, then the raw details. */
export function ErrorPanel({ problem }: { problem: UserError }) {
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(problem.details ?? "");
      setCopied("done");
    } catch {
      setCopied("failed");
    }
  };

  return (
    <div className="error-panel" role="alert" data-kind={problem.kind}>
      <p className="error-message">{problem.message}</p>
      <p className="error-fix">
        <strong>What to do: </strong>
        {problem.fix}
      </p>
      {problem.setting && <p className="error-where">You change it on {whereToChange(problem.setting)}.</p>}
      {problem.details && (
        <details className="error-details">
          <summary>Details</summary>
          <pre>{problem.details}</pre>
          <button type="button" className="button small" onClick={copy}>
            {copied === "done" ? "Copied" : "Copy details"}
          </button>
          {copied === "failed" && <span className="muted"> Copying is not available: select the text instead.</span>}
        </details>
      )}
    </div>
  );
}
