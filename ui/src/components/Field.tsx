import { useId, type ReactNode } from "react";
import type { UserError } from "../bindings/UserError";

interface Props {
  label: string;
  hint?: ReactNode;
  /** A problem with what was typed: shown under the field, plain words first. */
  problem?: UserError | null;
  notices?: string[];
  children: (ids: { id: string; describedBy: string; invalid: boolean }) => ReactNode;
}

/** A labelled form field with its hint, its problem and its notices. */
export function Field({ label, hint, problem, notices = [], children }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const messageId = `${id}-message`;
  const describedBy = [hint ? hintId : "", problem || notices.length ? messageId : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {children({ id, describedBy, invalid: Boolean(problem) })}
      <div id={messageId} aria-live="polite">
        {problem && (
          <p className="field-problem">
            {problem.message} <span className="muted">{problem.fix}</span>
          </p>
        )}
        {!problem &&
          notices.map((n) => (
            <p key={n} className="field-notice">
              {n}
            </p>
          ))}
      </div>
    </div>
  );
}
