import { useState } from "react";

/** Copies a value; says so, or says how to copy by hand when it cannot. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = useState<"idle" | "done" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("done");
    } catch {
      setState("failed");
    }
  };
  return (
    <button
      type="button"
      className="button small"
      onClick={copy}
      aria-label={`Copy ${label}`}
      title={state === "failed" ? "Copying is not available: select the text instead." : undefined}
    >
      {state === "done" ? "Copied" : state === "failed" ? "Select to copy" : "Copy"}
    </button>
  );
}
