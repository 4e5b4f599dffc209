import type { SetupEvent } from "../bindings/SetupEvent";
import type { SetupStep } from "../bindings/SetupStep";
import type { StepState } from "../bindings/StepState";

const TITLES: Record<SetupStep, string> = {
  CheckRole: "Check the administrator's role",
  FindProduct: "Find the product in your organization",
  Register: "Register the app",
  ServicePrincipal: "Create its enterprise application",
  Secret: "Make its client secret and keep it in your keychain",
  Consent: "Grant the permissions for your organization",
  ProductSide: "Allow the app inside the product",
};

type Shown = StepState | "Pending" | "Stopped";

const STATES: Record<Shown, string> = {
  Pending: "To do",
  Started: "Working",
  Waiting: "Waiting",
  Done: "Done",
  Stopped: "Stopped",
};

/** Each setup step with its latest state; a wait for Entra's replication shows as progress, with its reason.
 *  Once setup has `stopped` (cancelled or failed), the step it was on says so instead of still waiting. */
export function SetupProgress({ steps, events, stopped = false }: { steps: SetupStep[]; events: SetupEvent[]; stopped?: boolean }) {
  const latest = new Map<SetupStep, SetupEvent>();
  for (const e of events) latest.set(e.step, e);
  const shown = [...steps, ...[...latest.keys()].filter((s) => !steps.includes(s))];
  return (
    <ol className="setup-progress" aria-live="polite" data-testid="setup-progress">
      {shown.map((step) => {
        const event = latest.get(step);
        const reported: Shown = event?.state ?? "Pending";
        const state: Shown = stopped && (reported === "Started" || reported === "Waiting") ? "Stopped" : reported;
        return (
          <li key={step} className={`setup-step ${state.toLowerCase()}`} data-testid={`setup-step-${step}`} data-state={state}>
            <span className="setup-step-mark" aria-hidden="true" />
            <div>
              <strong>{TITLES[step]}</strong> <span className="visually-hidden">{STATES[state]}</span>
              {state === "Stopped" ? <p>Stopped here; running setup again carries on from this step.</p> : event?.detail && <p>{event.detail}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
