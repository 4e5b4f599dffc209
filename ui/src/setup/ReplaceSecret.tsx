import { useEffect, useRef, useState } from "react";
import type { Profile } from "../bindings/Profile";
import type { SecretReplaced } from "../bindings/SecretReplaced";
import type { SetupEvent } from "../bindings/SetupEvent";
import type { SignInEvent } from "../bindings/SignInEvent";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { SignInProgress } from "../components/SignInProgress";
import { useDraft } from "../connection/DraftContext";
import { toProfile } from "../connection/draft";
import { problemOf, useCall } from "../connection/useCall";
import { expiryDate } from "../start/secretExpiry";
import { cancelOperation, replaceSecret, setupDefaults, setupSignInInfo } from "../ipc";
import { SecretLifetimeChoice, SetupAppField } from "./SetupChoices";
import { draftFromSaved } from "./setupForm";
import type { SecretMonths } from "./setupForm";
import { SetupProgress } from "./SetupProgress";
import { SignInExplained } from "./SignInExplained";
import "./setup.css";

type Phase =
  | { at: "ready" }
  | { at: "signing-in"; events: SignInEvent[] }
  | { at: "replacing"; events: SetupEvent[] }
  | { at: "replaced"; result: SecretReplaced }
  | { at: "failed"; problem: UserError; events: SetupEvent[] };

interface Props {
  profile: Profile;
  /** The connection now holds the new secret. */
  onReplaced: (profile: Profile) => void;
  onClose: () => void;
}

/** "Replace the secret": an administrator signs in, a new client secret is
 *  made, proven and kept in the keychain, and only then the old one removed. */
export function ReplaceSecret({ profile, onReplaced, onClose }: Props) {
  const [phase, setPhase] = useState<Phase>({ at: "ready" });
  const [months, setMonths] = useState<SecretMonths>(12);
  const defaults = useCall(setupDefaults);
  const info = useCall(setupSignInInfo);
  const [setupClientId, setSetupClientId] = useState<string | null>(null);
  const operation = useRef<string | null>(null);
  const { run: loadDefaults } = defaults;
  const { run: loadInfo } = info;

  useEffect(() => {
    void loadDefaults(profile.product, profile.registration, profile.cloud).then((d) => {
      if (d) setSetupClientId((id) => id ?? d.setup_client_id);
    });
  }, [loadDefaults, profile.product, profile.registration, profile.cloud]);

  useEffect(() => {
    if (setupClientId === null) return;
    const timer = setTimeout(() => void loadInfo(setupClientId, "ReplaceSecret"), 200);
    return () => clearTimeout(timer);
  }, [loadInfo, setupClientId]);

  useEffect(
    () => () => {
      if (operation.current) void cancelOperation(operation.current);
    },
    [],
  );

  const start = async () => {
    if (setupClientId === null) return;
    const id = `replace-secret-${Date.now()}`;
    operation.current = id;
    const events: SetupEvent[] = [];
    setPhase({ at: "signing-in", events: [] });
    try {
      const result = await replaceSecret(
        profile.name,
        months,
        setupClientId,
        id,
        (event) => setPhase((p) => (p.at === "signing-in" ? { at: "signing-in", events: [...p.events, event] } : p)),
        (event) => {
          events.push(event);
          setPhase({ at: "replacing", events: [...events] });
        },
      );
      setPhase({ at: "replaced", result });
      onReplaced(result.profile);
    } catch (e) {
      setPhase({ at: "failed", problem: problemOf(e), events });
    } finally {
      operation.current = null;
    }
  };

  const unavailable = defaults.state.status === "done" ? defaults.state.value.unavailable : null;
  const working = phase.at === "signing-in" || phase.at === "replacing";
  return (
    <section className="card replace-secret" data-testid="replace-secret" aria-labelledby="replace-secret-title">
      <h2 id="replace-secret-title">Replace the secret of “{profile.name}”</h2>
      <p>
        D365 Connect makes a new client secret for the app, proves it works, keeps it in your keychain and then removes the old one, so the
        connection never stops. An administrator signs in once for it.
      </p>
      {unavailable && <ErrorPanel problem={{ kind: "InvalidInput", message: unavailable, fix: "Replace the secret in the Entra admin center, then paste it on the Credentials step.", details: null, setting: null }} />}
      {defaults.state.status === "failed" && <ErrorPanel problem={defaults.state.problem} />}
      {info.state.status === "done" && !unavailable && phase.at !== "replaced" && <SignInExplained info={info.state.value} />}
      {phase.at !== "replaced" && !unavailable && (
        <fieldset className="form" disabled={working}>
          <legend className="visually-hidden">The new secret</legend>
          <SecretLifetimeChoice months={months} onChange={setMonths} />
          {setupClientId !== null && <SetupAppField clientId={setupClientId} onChange={setSetupClientId} />}
        </fieldset>
      )}
      {phase.at === "signing-in" && (
        <div aria-live="polite" data-testid="replace-secret-sign-in">
          <SignInProgress events={phase.events} waiting="Opening the sign-in…" />
        </div>
      )}
      {/* Once replaced, the summary below says it all. */}
      {(phase.at === "replacing" || (phase.at === "failed" && phase.events.length > 0)) && (
        <SetupProgress steps={["Secret"]} events={phase.events} stopped={phase.at === "failed"} />
      )}
      {phase.at === "failed" && <ErrorPanel problem={phase.problem} />}
      {phase.at === "replaced" && <Replaced result={phase.result} />}
      <div className="actions">
        {phase.at !== "replaced" && !unavailable && (
          <button type="button" className="button primary" data-testid="replace-secret-start" onClick={() => void start()} disabled={working || setupClientId === null}>
            {phase.at === "failed" ? "Try again" : "Sign in and replace the secret"}
          </button>
        )}
        {phase.at === "signing-in" ? (
          <button type="button" className="button" onClick={() => operation.current && void cancelOperation(operation.current)}>
            Cancel
          </button>
        ) : (
          <button type="button" className="button" data-testid="replace-secret-close" onClick={onClose} disabled={working}>
            {phase.at === "replaced" ? "Close" : "Not now"}
          </button>
        )}
      </div>
    </section>
  );
}

/** "Replace the secret" for the connection the wizard has open. */
export function ReplaceDraftSecret({ onClose }: { onClose: () => void }) {
  const { draft, update } = useDraft();
  return (
    <ReplaceSecret
      profile={toProfile(draft)}
      // The draft takes the new secret's date, so saving it again (Connect) does not put the old one back.
      onReplaced={(profile) => update(draftFromSaved(profile))}
      onClose={onClose}
    />
  );
}

function Replaced({ result }: { result: SecretReplaced }) {
  const ends = result.profile.secret?.expires_on;
  return (
    <div className="notice" role="status" data-testid="replace-secret-done">
      <p>
        The new secret works and is in your keychain{ends ? <>; it ends on {expiryDate(ends)}</> : null}.
      </p>
      <p>
        {result.old_removed
          ? "The old secret was removed from the app."
          : "The old secret was left in place because this connection did not know which one it was: remove it under Certificates & secrets once nothing else uses it."}
      </p>
    </div>
  );
}
