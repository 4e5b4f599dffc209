import { useEffect, useState } from "react";
import type { FnoProductSide } from "../bindings/FnoProductSide";
import type { Profile } from "../bindings/Profile";
import { CopyButton } from "../components/CopyButton";
import { ErrorPanel } from "../components/ErrorPanel";
import { SignInProgress } from "../components/SignInProgress";
import { useDraft } from "../connection/DraftContext";
import { setupFnoApplication, setupFnoOptions } from "../ipc";
import { useAdminCall } from "./useAdminCall";

/** The page's path in F&O, as its menus show it. */
const PAGE = "System administration > Setup > Microsoft Entra applications";

/** Finance & Operations' side: the app's client ID on its Microsoft Entra applications page, acting as a user. */
export function FnoSide({ name, appName, clientId }: { name: string; appName: string; clientId: string }) {
  const options = useAdminCall<FnoProductSide>();
  const { update } = useDraft();
  const added = useAdminCall<Profile>();
  const [user, setUser] = useState<string | null>(null);
  const { run: loadOptions } = options;

  useEffect(() => {
    void loadOptions((operation, onEvent) => setupFnoOptions(name, operation, onEvent));
  }, [loadOptions, name]);

  const add = () => {
    if (!user) return;
    // The connection now notes the app's user: so does the draft, which the Connect step saves again.
    void added.run((operation, onEvent) => setupFnoApplication(name, appName, user, operation, onEvent)).then((saved) => saved && update({ setup: saved.setup }));
  };

  const side = options.state.status === "done" ? options.state.value : null;
  return (
    <section className="card product-side" data-testid="fno-entra-applications">
      <h2>Allow the app inside Finance &amp; Operations</h2>
      <p>
        Finance &amp; Operations lets an app in only when its client ID is on the <strong>Microsoft Entra applications</strong> page, where it
        acts as one of its users: what that user may do, the app may do.
      </p>
      {options.state.status === "running" && <SignInProgress events={options.events} waiting="Looking at the environment…" />}
      {options.state.status === "failed" && <ErrorPanel problem={options.state.problem} />}
      {side?.automatic && (
        <>
          <fieldset className="choice-group role-list" disabled={added.state.status === "running" || added.state.status === "done"}>
            <legend>The user the app acts as</legend>
            {side.users.map((u) => (
              <label key={u.id} className="choice" data-testid={`fno-user-${u.id}`}>
                <input type="radio" name="fno-user" checked={user === u.id} onChange={() => setUser(u.id)} />
                <span>
                  <strong>{u.name}</strong>
                  {u.name !== u.id && <span className="muted">{u.id}</span>}
                </span>
              </label>
            ))}
          </fieldset>
          {added.state.status !== "done" && (
            <div className="actions">
              <button type="button" className="button primary" data-testid="fno-add-app" disabled={!user || added.state.status === "running"} onClick={add}>
                {added.state.status === "running" ? "Adding…" : "Add the app in Finance & Operations"}
              </button>
              {!user && <span className="muted">Choose a user first.</span>}
            </div>
          )}
          {added.state.status === "running" && added.events.length > 0 && <SignInProgress events={added.events} waiting="" />}
          {added.state.status === "failed" && <ErrorPanel problem={added.state.problem} />}
          {added.state.status === "done" && (
            <p className="ok" role="status" data-testid="fno-app-added">
              <span className="dot ok" aria-hidden="true" />
              {added.state.value.setup?.product_side ?? "The app is on the Microsoft Entra applications page."}
            </p>
          )}
        </>
      )}
      {side && !side.automatic && (
        <div data-testid="fno-by-hand">
          <p>This environment offers no way for D365 Connect to fill in that page, so one step is yours. In Finance &amp; Operations open:</p>
          <p>
            <strong>{PAGE}</strong>
          </p>
          <ol className="product-side-steps">
            <li>Choose New.</li>
            <li>Enter these values, then Save.</li>
          </ol>
          <dl className="copy-values">
            <div>
              <dt>Client ID</dt>
              <dd>
                <code>{clientId}</code>
                <CopyButton value={clientId} label={`Client ID ${clientId}`} />
              </dd>
            </div>
            <div>
              <dt>Name</dt>
              <dd>
                <code>{appName}</code>
                <CopyButton value={appName} label={`Name ${appName}`} />
              </dd>
            </div>
            <div>
              <dt>User ID</dt>
              <dd>
                <span>The F&amp;O user the app acts as, for example <code>Admin</code>; its roles decide what the app may do.</span>
              </dd>
            </div>
          </dl>
        </div>
      )}
    </section>
  );
}
