import { useEffect, useState } from "react";
import type { Profile } from "../bindings/Profile";
import type { SecurityRole } from "../bindings/SecurityRole";
import { ErrorPanel } from "../components/ErrorPanel";
import { SignInProgress } from "../components/SignInProgress";
import { useDraft } from "../connection/DraftContext";
import { setupDataverseRoles, setupDataverseUser } from "../ipc";
import { ApplyChoice } from "./ApplyChoice";
import { useAdminCall } from "./useAdminCall";

/** Dataverse's side: an application user for the app in the environment, with a security role the administrator picks. */
export function DataverseSide({ name, environment }: { name: string; environment: string }) {
  const roles = useAdminCall<SecurityRole[]>();
  const { update } = useDraft();
  const user = useAdminCall<Profile>();
  const [chosen, setChosen] = useState<string | null>(null);
  const { run: loadRoles } = roles;

  useEffect(() => {
    void loadRoles((operation, onEvent) => setupDataverseRoles(name, operation, onEvent)).then((list) =>
      // The suggested role reads what an integration needs; System Administrator is never chosen for you.
      setChosen(list?.find((r) => r.suggested)?.id ?? null),
    );
  }, [loadRoles, name]);

  const list = roles.state.status === "done" ? roles.state.value : [];
  const role = list.find((r) => r.id === chosen);
  const create = () => {
    if (!role) return;
    // The connection now notes the application user: so does the draft, which the Connect step saves again.
    void user.run((operation, onEvent) => setupDataverseUser(name, role, operation, onEvent)).then((saved) => saved && update({ setup: saved.setup }));
  };

  return (
    <section className="card product-side" data-testid="dataverse-application-user">
      <h2>Allow the app inside Dataverse</h2>
      <p>
        An app connects to Dataverse as an <strong>application user</strong> of the environment <code>{environment}</code>, with a security
        role that decides what it may read and change. D365 Connect creates it for you.
      </p>
      {roles.state.status === "running" && <SignInProgress events={roles.events} waiting="Reading the environment's security roles…" />}
      {roles.state.status === "failed" && <ErrorPanel problem={roles.state.problem} />}
      {list.length > 0 && (
        <fieldset className="choice-group role-list" disabled={user.state.status === "running" || user.state.status === "done"}>
          <legend>Security role of the application user</legend>
          {list.map((r) => (
            <label key={r.id} className="choice" data-testid={`role-${r.name}`}>
              <input type="radio" name="dataverse-role" checked={chosen === r.id} onChange={() => setChosen(r.id)} />
              <span>
                <strong>
                  {r.name}
                  {r.suggested && <span className="badge">Suggested</span>}
                </strong>
                {r.name === "System Administrator" && <span className="muted">Can change everything in the environment: choose it only if the integration must.</span>}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {list.length > 0 && (
        <ApplyChoice
          call={user}
          chosen={role !== undefined}
          onApply={create}
          label="Create the application user"
          running="Creating…"
          chooseFirst="Choose a role first."
          done="The application user is ready."
          testId="dataverse-create-user"
          doneTestId="dataverse-user-ready"
        />
      )}
    </section>
  );
}
