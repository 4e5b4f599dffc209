// The two choices both setup and "Replace the secret" ask: how long the
// new client secret lives, and which app the administrator signs in to.
import { useId } from "react";
import { Field } from "../components/Field";
import type { SecretMonths } from "./setupForm";

const LIFETIMES: { months: SecretMonths; label: string }[] = [
  { months: 6, label: "6 months" },
  { months: 12, label: "12 months" },
  { months: 24, label: "24 months" },
];

/** 6, 12 or 24 months, as Microsoft Entra's own "Add a client secret" offers. */
export function SecretLifetimeChoice({ months, onChange }: { months: SecretMonths; onChange: (months: SecretMonths) => void }) {
  const id = useId();
  return (
    <div className="field" role="radiogroup" aria-labelledby={`${id}-label`} aria-describedby={`${id}-hint`}>
      <span className="field-label" id={`${id}-label`}>
        The client secret lasts
      </span>
      <p className="field-hint" id={`${id}-hint`}>
        When it ends, the connection stops until someone makes a new one. Shorter is safer; Microsoft advises less than 12 months.
      </p>
      <div className="segmented">
        {LIFETIMES.map((l) => (
          <label key={l.months} data-testid={`secret-months-${l.months}`}>
            <input type="radio" name={`${id}-months`} checked={months === l.months} onChange={() => onChange(l.months)} />
            {l.label}
          </label>
        ))}
      </div>
    </div>
  );
}

/** Under "Advanced": the public client the administrator signs in to. */
export function SetupAppField({ clientId, onChange }: { clientId: string; onChange: (clientId: string) => void }) {
  return (
    <details className="advanced" data-testid="setup-advanced">
      <summary>Advanced</summary>
      <Field
        label="Setup app (client ID)"
        hint="The app the administrator signs in to for setup. Microsoft Graph Command Line Tools unless your organization gives you its own."
      >
        {({ id, describedBy }) => (
          <input
            id={id}
            aria-describedby={describedBy}
            data-testid="setup-client-id"
            value={clientId}
            onChange={(e) => onChange(e.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
        )}
      </Field>
    </details>
  );
}
