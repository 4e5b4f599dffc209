import { useEffect } from "react";
import type { Registration } from "../bindings/Registration";
import { CopyButton } from "../components/CopyButton";
import { ErrorPanel } from "../components/ErrorPanel";
import { useDraft } from "../connection/DraftContext";
import { productName } from "../connection/draft";
import { useCall } from "../connection/useCall";
import { openInBrowser, registrationGuide } from "../ipc";

const MODES: { id: Registration; title: string; hint: string }[] = [
  {
    id: "SignInWithoutSecret",
    title: "A person signs in (recommended)",
    hint: "You sign in with your own Microsoft account in your browser. No secret to keep.",
  },
  {
    id: "SignInWithSecret",
    title: "A person signs in, and my company requires a client secret",
    hint: "Like above, with the app registered as a Web app that has a secret.",
  },
  {
    id: "BackgroundService",
    title: "A background service connects on its own",
    hint: "No one signs in: the app uses its own secret. The app must also be allowed inside the product.",
  },
];

/** The app-registration guide for the chosen product and sign-in kind. */
export function RegisterStep() {
  const { draft, update } = useDraft();
  const guide = useCall(registrationGuide);
  const { run } = guide;
  const clientId = /^[0-9a-f-]{36}$/i.test(draft.clientId.trim()) ? draft.clientId.trim() : null;

  useEffect(() => {
    void run(draft.product, draft.registration, draft.cloud, clientId);
  }, [run, draft.product, draft.registration, draft.cloud, clientId]);

  return (
    <div className="step-body">
      <fieldset className="card choice-group">
        <legend>Will a person sign in, or does a background service connect?</legend>
        {MODES.map((m) => (
          <label key={m.id} className="choice" data-testid={`registration-${m.id}`}>
            <input
              type="radio"
              name="registration"
              checked={draft.registration === m.id}
              onChange={() =>
                update({
                  registration: m.id,
                  scopes: [],
                  // The sandbox has one app of each kind: follow the choice.
                  ...(draft.sandbox && {
                    clientId: (m.id === "SignInWithoutSecret" ? draft.sandbox.public_client_id : draft.sandbox.client_id) ?? "",
                    secret: m.id === "SignInWithoutSecret" ? "" : (draft.sandbox.client_secret ?? ""),
                  }),
                })
              }
            />
            <span>
              <strong>{m.title}</strong>
              <span className="muted">{m.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {draft.sandbox && (
        <p className="notice" role="note">
          The sandbox tenant already has both kinds of app registered, so you can skip these steps. They are shown so you
          can see what you would do in your own tenant.
        </p>
      )}
      {guide.state.status === "failed" && <ErrorPanel problem={guide.state.problem} />}
      <ol className="guide" aria-busy={guide.state.status === "running"} aria-label={`Register an app for ${productName(draft.product)}`}>
        {guide.state.status === "done" &&
          guide.state.value.map((step, i) => (
            <li key={step.title} className="card guide-step" data-testid={`guide-step-${i + 1}`}>
              <h2>
                <span className="guide-number" aria-hidden="true">
                  {i + 1}
                </span>
                {step.title}
              </h2>
              <ul>
                {step.actions.map((action) => (
                  <li key={action}>{action}</li>
                ))}
              </ul>
              {step.copy.length > 0 && (
                <dl className="copy-values">
                  {step.copy.map((c) => (
                    <div key={`${c.label}-${c.value}`}>
                      <dt>{c.label}</dt>
                      <dd>
                        <code>{c.value}</code>
                        <CopyButton value={c.value} label={`${c.label} ${c.value}`} />
                      </dd>
                    </div>
                  ))}
                </dl>
              )}
              {step.open && (
                <button type="button" className="button" onClick={() => void openInBrowser(step.open ?? "")}>
                  Open this page in your browser
                </button>
              )}
            </li>
          ))}
      </ol>
    </div>
  );
}
