import { useEffect, useState } from "react";
import type { FnoProductSide } from "../bindings/FnoProductSide";
import type { Profile } from "../bindings/Profile";
import { CopyButton } from "../components/CopyButton";
import { ErrorPanel } from "../components/ErrorPanel";
import { SignInProgress } from "../components/SignInProgress";
import { useDraft } from "../connection/DraftContext";
import { setupFnoApplication, setupFnoOptions } from "../ipc";
import { ApplyChoice } from "./ApplyChoice";
import { useAdminCall } from "./useAdminCall";

/** Finance & Operations' side: the app's client ID on its Microsoft Entra applications page, acting as a user. */
export function FnoSide({ name, appName, clientId }: { name: string; appName: string; clientId: string }) {
  const options = useAdminCall<FnoProductSide>();
  const { update } = useDraft();
  const added = useAdminCall<Profile>();
  const [user, setUser] = useState<string | null>(null);
  const { run: loadOptions } = options;

  useEffect(() => {
    void loadOptions((operation, onEvent) => setupFnoOptions(name, appName, operation, onEvent));
  }, [loadOptions, name, appName]);

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
          <ApplyChoice
            call={added}
            chosen={user !== null}
            onApply={add}
            label="Add the app in Finance & Operations"
            running="Adding…"
            chooseFirst="Choose a user first."
            done="The app is on the Microsoft Entra applications page."
            testId="fno-add-app"
            doneTestId="fno-app-added"
          />
        </>
      )}
      {side && !side.automatic && (
        <div data-testid="fno-by-hand">
          <p>This environment offers no way for D365 Connect to fill in that page, so one step is yours. In Finance &amp; Operations:</p>
          <ol className="product-side-steps">
            {side.by_hand.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ol>
          <div className="actions">
            <CopyButton value={clientId} label={`Client ID ${clientId}`} />
            <span className="muted">Client ID</span>
            <CopyButton value={appName} label={`Name ${appName}`} />
            <span className="muted">Name</span>
          </div>
        </div>
      )}
    </section>
  );
}
