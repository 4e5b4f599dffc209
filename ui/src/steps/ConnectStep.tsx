import { useRef, useState } from "react";
import type { SignInEvent } from "../bindings/SignInEvent";
import type { TokenInfo } from "../bindings/TokenInfo";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { SignInProgress } from "../components/SignInProgress";
import { useDraft } from "../connection/DraftContext";
import { missingCredential, productName, secretCredential, type Draft } from "../connection/draft";
import { problemOf } from "../connection/useCall";
import { adminConsent, cancelOperation, checkClientId, checkEnvironmentUrl, checkTenant, signIn, tokenInfo } from "../ipc";
import { ReplaceDraftSecret } from "../setup/ReplaceSecret";
import { BlockerNote, useStepStatus } from "../wizard/progress";
import { TokenPanel } from "./TokenPanel";

type Phase =
  | { at: "ready" }
  | { at: "working"; events: SignInEvent[] }
  | { at: "connected"; info: TokenInfo }
  | { at: "failed"; problem: UserError };

/** Checks and cleans what was typed, the way the backend will read it. */
async function cleaned(draft: Draft): Promise<Partial<Draft>> {
  const missing = missingCredential(draft);
  if (missing) {
    throw { kind: missing.kind, message: missing.message, fix: `Go back to Credentials: ${missing.action}`, details: null, setting: null };
  }
  const tenant = await checkTenant(draft.tenant);
  const client = await checkClientId(draft.clientId);
  let environment = draft.environment;
  if (draft.product !== "BusinessCentral" && environment) {
    environment = (await checkEnvironmentUrl(draft.product, draft.cloud, environment)).value;
  }
  return { tenant: tenant.value, clientId: client.value, environment };
}

const CONSENT_KINDS = ["ConsentRequired", "PermissionMissing"];

/** The fix when nobody consented to the permissions: an administrator
 *  approves them for the whole organization (Entra's admin consent page). */
function AdminConsent({ delegated, onConsent }: { delegated: boolean; onConsent: () => void }) {
  return (
    <section className="card" data-testid="admin-consent-card">
      <h2>An administrator's consent is needed</h2>
      <p>
        {delegated
          ? "An administrator can approve the permissions for everyone in your organization. If that is you, open the admin consent page."
          : "The app's permissions are listed but nobody has approved them yet. An administrator approves them once for the organization; if that is you, open the admin consent page and accept."}
      </p>
      <button type="button" className="button" data-testid="admin-consent" onClick={onConsent}>
        Open the admin consent page
      </button>
    </section>
  );
}

/** A background service has no redirect URI for Entra's admin consent page
 *  to answer to (AADSTS500113, docs/sandbox-fidelity.md §G1): the
 *  administrator grants consent in the Entra admin center instead. */
function AdminCenterConsent() {
  return (
    <section className="card" data-testid="admin-consent-card">
      <h2>An administrator's consent is needed</h2>
      <p data-testid="admin-center-consent">
        The app's permissions are listed but nobody has approved them yet. An administrator (Global or Cloud Application
        Administrator) opens the Microsoft Entra admin center › App registrations › this app › API permissions and clicks{" "}
        <strong>Grant admin consent for</strong> followed by the organization's name. Then connect again.
      </p>
    </section>
  );
}

/** Saves the connection and gets a token: the browser sign-in or the app's own. */
export function ConnectStep() {
  const { draft, save } = useDraft();
  const [phase, setPhase] = useState<Phase>({ at: "ready" });
  const [replacing, setReplacing] = useState(false);
  const operation = useRef<string | null>(null);
  const delegated = draft.registration !== "BackgroundService";

  const track = (event: SignInEvent) => setPhase((p) => (p.at === "working" ? { at: "working", events: [...p.events, event] } : p));

  const connect = async (consent = false) => {
    setPhase({ at: "working", events: [] });
    try {
      const saved = await save(await cleaned(draft));
      const id = `connect-${Date.now()}`;
      operation.current = id;
      if (consent) await adminConsent(saved.name, id, track);
      const info = delegated ? await signIn(saved.name, id, track) : await tokenInfo(saved.name);
      setPhase({ at: "connected", info });
    } catch (e) {
      setPhase({ at: "failed", problem: problemOf(e) });
    } finally {
      operation.current = null;
    }
  };

  const cancel = () => {
    if (operation.current) void cancelOperation(operation.current);
  };

  const usable = phase.at === "connected" && phase.info.verdict.usable;
  useStepStatus(
    "connect",
    usable,
    usable
      ? null
      : {
          message:
            phase.at === "connected"
              ? `This token cannot call ${productName(draft.product)} yet: see what to do below, then connect again.`
              : `${delegated ? "Sign in" : "Connect"} first, so D365 Connect can prove the connection works.`,
          target: '[data-testid="connect"]',
        },
  );

  return (
    <div className="step-body">
      <section className="card">
        <h2>{delegated ? "Sign in with your Microsoft account" : "Connect as the app"}</h2>
        <p>
          {delegated
            ? `Your browser opens Microsoft's sign-in page. After you sign in and accept, Microsoft sends you back here and D365 Connect gets a token for ${productName(draft.product)}.`
            : `D365 Connect asks Microsoft Entra for a token with the app's own secret, without a browser.`}
        </p>
        {draft.sandbox?.user && delegated && (
          <p className="notice" role="note">
            Sandbox tenant: sign in as <code>{draft.sandbox.user}</code> with the password <code>{draft.sandbox.password}</code>.
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="button primary"
            data-testid="connect"
            onClick={() => void connect()}
            disabled={phase.at === "working"}
          >
            {phase.at === "connected" ? "Connect again" : delegated ? "Sign in" : "Connect"}
          </button>
          {phase.at === "working" && delegated && (
            <button type="button" className="button" data-testid="cancel-sign-in" onClick={cancel}>
              Cancel
            </button>
          )}
        </div>
        <BlockerNote step="connect" target='[data-testid="connect"]' />
        <div aria-live="polite" data-testid="connect-progress">
          {phase.at === "working" && <SignInProgress events={phase.events} waiting="Saving the connection…" />}
        </div>
      </section>
      {phase.at === "failed" && (
        <>
          <ErrorPanel problem={phase.problem} />
          {delegated && CONSENT_KINDS.includes(phase.problem.kind) && <AdminConsent delegated onConsent={() => void connect(true)} />}
          {phase.problem.kind === "SecretExpired" && draft.saved && !replacing && (
            <div className="actions">
              <button type="button" className="button" data-testid="replace-secret-offer" onClick={() => setReplacing(true)}>
                Replace the secret
              </button>
            </div>
          )}
        </>
      )}
      {replacing && <ReplaceDraftSecret onClose={() => setReplacing(false)} />}
      {phase.at === "connected" && (
        <>
          <TokenPanel info={phase.info} secretExpiresOn={secretCredential(draft)?.expires_on} onReplaceSecret={draft.saved ? () => setReplacing(true) : undefined} />
          {phase.info.verdict.missing_permissions &&
            (delegated ? <AdminConsent delegated onConsent={() => void connect(true)} /> : <AdminCenterConsent />)}
        </>
      )}
    </div>
  );
}
