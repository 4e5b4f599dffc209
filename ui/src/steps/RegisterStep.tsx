import { useEffect, useRef, useState } from "react";
import type { Registration } from "../bindings/Registration";
import type { UserError } from "../bindings/UserError";
import { CopyButton } from "../components/CopyButton";
import { ErrorPanel } from "../components/ErrorPanel";
import { useDraft } from "../connection/DraftContext";
import { productName } from "../connection/draft";
import { useCall } from "../connection/useCall";
import { endSetup, openInBrowser, registrationGuide, setupDefaults } from "../ipc";
import { Handoff } from "../setup/Handoff";
import { initialValues, type SetupFormValues } from "../setup/setupForm";
import { SetupFormFields } from "../setup/SetupFormFields";
import { SetupForMe } from "../setup/SetupForMe";
import "../setup/setup.css";

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

type Path = "setup" | "manual" | "handoff";

const PATHS: { id: Path; title: string; hint: string }[] = [
  {
    id: "setup",
    title: "Set it up for me",
    hint: "An administrator signs in once and D365 Connect registers the app, its secret and its permissions.",
  },
  {
    id: "manual",
    title: "I'll do it myself",
    hint: "Follow the steps in the Microsoft Entra admin center; D365 Connect gives you every value to paste.",
  },
  {
    id: "handoff",
    title: "Someone else is the administrator",
    hint: "Get a script and a checklist to send them, then import the file their script writes.",
  },
];

/** Register the app: set up for you by an administrator's sign-in, by hand with the guide, or handed to an administrator. */
export function RegisterStep({ onContinue }: { onContinue: () => void }) {
  const { draft, update } = useDraft();
  const [path, setPath] = useState<Path>("manual");
  // A path's panel stays mounted once opened, so switching back finds it as left.
  const [opened, setOpened] = useState<ReadonlySet<Path>>(() => new Set(["manual"]));
  const [whyHandoff, setWhyHandoff] = useState<UserError | null>(null);
  const [locked, setLocked] = useState(false);
  const defaults = useCall(setupDefaults);
  const { run: loadDefaults } = defaults;
  const [form, setForm] = useState<SetupFormValues | null>(null);
  const defaultAppName = useRef<string | null>(null);

  useEffect(() => {
    void loadDefaults(draft.product, draft.registration, draft.cloud);
  }, [loadDefaults, draft.product, draft.registration, draft.cloud]);

  // The form starts from the draft; the app's default name follows the
  // product and the kind of sign-in until someone types another.
  const known = defaults.state.status === "done" ? defaults.state.value : null;
  useEffect(() => {
    if (!known) return;
    const previous = defaultAppName.current;
    defaultAppName.current = known.app_name;
    setForm((f) => {
      if (!f) return initialValues(draft, known.app_name, known.setup_client_id);
      return f.appName === previous ? { ...f, appName: known.app_name } : f;
    });
    // Only new defaults re-seed the form; the draft is read once, at the start.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [known]);

  const setupOpened = opened.has("setup");
  useEffect(() => {
    if (!setupOpened) return;
    // The administrator's session ends with the wizard (a new connection
    // starts every step afresh); it has nothing to end if it never began.
    return () => {
      endSetup().catch(() => undefined);
    };
  }, [setupOpened]);

  const choose = (next: Path) => {
    setPath(next);
    setOpened((o) => (o.has(next) ? o : new Set(o).add(next)));
    if (next !== "handoff") setWhyHandoff(null);
  };
  const finish = () => {
    endSetup().catch(() => undefined);
    onContinue();
  };
  const unavailable = known?.unavailable ?? null;

  return (
    <div className="step-body register-step">
      <fieldset className="card choice-group" disabled={locked}>
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
      <fieldset className="card choice-group" data-testid="register-paths" disabled={locked}>
        <legend>Who registers the app in Microsoft Entra?</legend>
        {PATHS.map((p) => {
          const off = p.id === "setup" && unavailable !== null;
          return (
            <label key={p.id} className={`choice${off ? " unavailable" : ""}`} data-testid={`path-${p.id}`}>
              <input type="radio" name="register-path" checked={path === p.id} disabled={off} onChange={() => choose(p.id)} />
              <span>
                <strong>{p.title}</strong>
                <span className="muted">{off ? unavailable : p.hint}</span>
              </span>
            </label>
          );
        })}
      </fieldset>
      {path !== "manual" && defaults.state.status === "failed" && <ErrorPanel problem={defaults.state.problem} />}
      {path !== "manual" && form && (
        <SetupFormFields
          draft={draft}
          form={form}
          onChange={(patch) => setForm((f) => (f ? { ...f, ...patch } : f))}
          advanced={path === "setup"}
          disabled={locked}
        />
      )}
      {form && setupOpened && (
        <div hidden={path !== "setup"}>
          <SetupForMe
            form={form}
            onLock={setLocked}
            onNotAdministrator={(problem) => {
              setWhyHandoff(problem);
              choose("handoff");
            }}
            onContinue={finish}
          />
        </div>
      )}
      {form && opened.has("handoff") && (
        <div hidden={path !== "handoff"}>
          <Handoff form={form} problem={whyHandoff} onContinue={finish} />
        </div>
      )}
      <div hidden={path !== "manual"}>
        <ManualGuide />
      </div>
    </div>
  );
}

/** Today's guide: each step in the Entra admin center with its values and a link. */
function ManualGuide() {
  const { draft } = useDraft();
  const guide = useCall(registrationGuide);
  const { run } = guide;
  const clientId = /^[0-9a-f-]{36}$/i.test(draft.clientId.trim()) ? draft.clientId.trim() : null;

  useEffect(() => {
    void run(draft.product, draft.registration, draft.cloud, clientId);
  }, [run, draft.product, draft.registration, draft.cloud, clientId]);

  return (
    <div className="step-body">
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
