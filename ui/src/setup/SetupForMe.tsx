import { useEffect, useRef, useState } from "react";
import type { SetupDone } from "../bindings/SetupDone";
import type { SetupEvent } from "../bindings/SetupEvent";
import type { SetupStep } from "../bindings/SetupStep";
import type { SignInEvent } from "../bindings/SignInEvent";
import type { UserError } from "../bindings/UserError";
import { CopyButton } from "../components/CopyButton";
import { ErrorPanel } from "../components/ErrorPanel";
import { SignInProgress } from "../components/SignInProgress";
import { useDraft } from "../connection/DraftContext";
import { needsEnvironmentUrl, needsSecret, productName } from "../connection/draft";
import { problemOf, useCall } from "../connection/useCall";
import { cancelOperation, checkEnvironmentUrl, checkTenant, setupRegister, setupSignIn, setupSignInInfo } from "../ipc";
import { ProductSide } from "./ProductSide";
import { draftFromSaved, toRequest, type SetupFormValues } from "./setupForm";
import { SetupProgress } from "./SetupProgress";
import { SignInExplained } from "./SignInExplained";

type Phase =
  | { at: "ready" }
  | { at: "signing-in"; events: SignInEvent[] }
  | { at: "registering"; events: SetupEvent[] }
  | { at: "registered"; done: SetupDone; events: SetupEvent[] }
  | { at: "failed"; problem: UserError; events: SetupEvent[] };

/** Refusals that mean the person is not an administrator: Graph's 403 or
 *  the role check, and a sign-in where only an administrator may consent
 *  (AADSTS90094, 65001). */
export function needsAnAdministrator(problem: UserError, signingIn: boolean): boolean {
  return problem.kind === "AdministratorRequired" || (signingIn && problem.kind === "ConsentRequired");
}

/** The hand-off is the way on, so a sign-in refusal's own advice (open the
 *  admin consent page) gives way to the advice that fits here. */
export function asHandoffReason(problem: UserError): UserError {
  if (problem.kind !== "ConsentRequired") return problem;
  return {
    ...problem,
    fix: "Ask someone with the Cloud Application Administrator or Application Administrator role to run \"Set it up for me\", or send them the script below.",
  };
}

const invalid = (message: string, fix: string): UserError => ({ kind: "InvalidInput", message, fix, details: null, setting: null });

/** Where the administrator's session was opened, so a retry reuses it only for the same sign-in. */
const sessionKey = (tenant: string, setupClientId: string) => `${tenant.toLowerCase()}|${setupClientId.trim().toLowerCase()}`;

interface Props {
  form: SetupFormValues;
  /** True while setup runs and once it is done: the form above must not change under it. */
  onLock: (locked: boolean) => void;
  /** Setup stopped because the person is not an administrator: offer the hand-off. */
  onNotAdministrator: (problem: UserError) => void;
  /** The connection is saved and the product side is as done as it gets: on to Connect. */
  onContinue: () => void;
}

/** "Set it up for me": the sign-in explained, the administrator's sign-in, each setup step as it happens, then the product side. */
export function SetupForMe({ form, onLock, onNotAdministrator, onContinue }: Props) {
  const { draft, update } = useDraft();
  const [phase, setPhase] = useState<Phase>({ at: "ready" });
  const info = useCall(setupSignInInfo);
  const { run: loadInfo } = info;
  const operation = useRef<string | null>(null);
  const session = useRef<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => void loadInfo(form.setupClientId, "Setup"), 200);
    return () => clearTimeout(timer);
  }, [loadInfo, form.setupClientId]);

  useEffect(
    () => () => {
      if (operation.current) void cancelOperation(operation.current);
    },
    [],
  );

  const steps: SetupStep[] = ["CheckRole", "FindProduct", "Register", "ServicePrincipal", ...(needsSecret(draft.registration) ? (["Secret"] as const) : []), "Consent"];

  const start = async () => {
    let signingIn = true;
    setPhase({ at: "signing-in", events: [] });
    try {
      const request = toRequest(draft, form);
      if (request.name === "") throw invalid("The connection has no name.", "Type a name for it above.");
      if (request.app_name === "") throw invalid("The app has no name.", "Type the name the app gets in Microsoft Entra above.");
      request.tenant = (await checkTenant(request.tenant)).value;
      if (request.environment && draft.product !== "BusinessCentral") {
        request.environment = (await checkEnvironmentUrl(draft.product, draft.cloud, request.environment)).value;
      } else if (!request.environment && (needsEnvironmentUrl(draft.product, draft.registration) || draft.registration === "BackgroundService")) {
        throw invalid(`Setup needs the ${productName(draft.product)} environment.`, "Fill it in above.");
      }
      const id = `setup-${Date.now()}`;
      operation.current = id;
      const key = sessionKey(request.tenant, form.setupClientId);
      if (session.current !== key) {
        session.current = null;
        await setupSignIn(draft.cloud, request.tenant, form.setupClientId, id, (event) =>
          setPhase((p) => (p.at === "signing-in" ? { at: "signing-in", events: [...p.events, event] } : p)),
        );
        session.current = key;
      }
      signingIn = false;
      setPhase({ at: "registering", events: [] });
      const events: SetupEvent[] = [];
      const done = await setupRegister(request, id, (event) => {
        events.push(event);
        setPhase((p) => (p.at === "registering" ? { at: "registering", events: [...events] } : p));
      });
      update(draftFromSaved(done.profile));
      setPhase({ at: "registered", done, events });
    } catch (e) {
      const problem = problemOf(e);
      if (needsAnAdministrator(problem, signingIn)) {
        session.current = null;
        setPhase({ at: "ready" });
        onNotAdministrator(asHandoffReason(problem));
        return;
      }
      setPhase((p) => ({ at: "failed", problem, events: p.at === "registering" ? p.events : [] }));
    } finally {
      operation.current = null;
    }
  };

  const cancel = () => {
    if (operation.current) void cancelOperation(operation.current);
  };

  const working = phase.at === "signing-in" || phase.at === "registering";
  const locked = working || phase.at === "registered";
  useEffect(() => onLock(locked), [onLock, locked]);
  return (
    <div className="setup-for-me" data-testid="setup-for-me">
      {info.state.status === "done" && <SignInExplained info={info.state.value} />}
      {info.state.status === "failed" && <ErrorPanel problem={info.state.problem} />}
      {draft.sandbox?.user && (
        <p className="notice" role="note">
          Sandbox tenant: the administrator is <code>{draft.sandbox.user}</code> with the password <code>{draft.sandbox.password}</code>.
        </p>
      )}
      {phase.at !== "registered" && (
        <div className="actions">
          <button type="button" className="button primary" data-testid="setup-start" onClick={() => void start()} disabled={working}>
            {phase.at === "failed" ? "Try again" : "Sign in and set it up"}
          </button>
          {working && (
            <button type="button" className="button" data-testid="setup-cancel" onClick={cancel}>
              Cancel
            </button>
          )}
        </div>
      )}
      {phase.at === "signing-in" && (
        <section className="card" aria-live="polite" data-testid="setup-sign-in-progress">
          <h2>The administrator signs in</h2>
          <SignInProgress events={phase.events} waiting="Checking what you typed…" />
        </section>
      )}
      {(phase.at === "registering" || phase.at === "registered" || (phase.at === "failed" && phase.events.length > 0)) && (
        <section className="card">
          <h2>Setting up the app</h2>
          <SetupProgress steps={steps} events={phase.events} stopped={phase.at === "failed"} />
        </section>
      )}
      {phase.at === "failed" && <ErrorPanel problem={phase.problem} />}
      {phase.at === "registered" && <Registered done={phase.done} appName={form.appName.trim()} onContinue={onContinue} />}
    </div>
  );
}

/** What setup made, the product side for a background service, and the way on. */
function Registered({ done, appName, onContinue }: { done: SetupDone; appName: string; onContinue: () => void }) {
  const { profile, summary } = done;
  return (
    <>
      <section className="card" data-testid="setup-done">
        <h2>The app is registered</h2>
        <p>
          {summary.reused ? "D365 Connect found the app from an earlier setup and completed it: " : "D365 Connect registered "}
          <strong>{appName}</strong> in your organization and saved the connection <strong>{profile.name}</strong>.
        </p>
        <dl className="copy-values">
          <div>
            <dt>Client ID</dt>
            <dd>
              <code data-testid="setup-client-id-made">{summary.client_id}</code>
              <CopyButton value={summary.client_id} label={`Client ID ${summary.client_id}`} />
            </dd>
          </div>
        </dl>
        {summary.secret_expires && (
          <p>
            Its client secret is in your keychain, never shown, and ends on <strong>{summary.secret_expires.slice(0, 10)}</strong>.
          </p>
        )}
      </section>
      {profile.registration === "BackgroundService" && <ProductSide profile={profile} appName={appName} />}
      <div className="actions">
        <button type="button" className="button primary" data-testid="setup-continue" onClick={onContinue}>
          Continue to Connect
        </button>
      </div>
    </>
  );
}
