import { useEffect } from "react";
import { ErrorPanel } from "../components/ErrorPanel";
import { useDraft } from "../connection/DraftContext";
import { productName } from "../connection/draft";
import { useCall } from "../connection/useCall";
import { permissions } from "../ipc";

/** Why a permission reaches further than connecting to the data needs. */
function Caution({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <span className="permission-caution">
      <span aria-hidden="true">⚠ </span>
      <span className="visually-hidden">Caution: </span>
      {text}
    </span>
  );
}

/** The permissions to ask for, in plain words, defaults ticked. */
export function PermissionsStep() {
  const { draft, update } = useDraft();
  const service = draft.registration === "BackgroundService";
  const list = useCall(permissions);
  const { run } = list;

  useEffect(() => {
    void run(draft.product, draft.registration).then((all) => {
      // First visit: tick the defaults so the profile names its scopes.
      if (all && !service && draft.scopes.length === 0) {
        update({ scopes: all.filter((p) => p.default).map((p) => p.name) });
      }
    });
    // Only when the product or the kind of sign-in changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run, draft.product, draft.registration]);

  const toggle = (name: string, on: boolean) =>
    update({ scopes: on ? [...draft.scopes, name] : draft.scopes.filter((s) => s !== name) });

  if (list.state.status === "failed") return <ErrorPanel problem={list.state.problem} />;
  const all = list.state.status === "done" ? list.state.value : [];
  const product = productName(draft.product);

  if (service) {
    return (
      <div className="step-body">
        <section className="card">
          <h2>What the app is allowed to do</h2>
          <p data-testid="permissions-kind">
            These are <strong>application permissions</strong>: the app acts on its own, with no one signed in, so what it may do is
            set here and by what it is given inside {product}, not by any person&apos;s rights. An administrator grants them once;
            D365 Connect then asks for all of them at once (<code>/.default</code>).
          </p>
          {all.length > 0 ? (
            <ul className="permission-list">
              {all.map((p) => (
                <li key={p.name} data-testid={`permission-${p.name}`}>
                  <strong>{p.name}</strong>
                  {p.default && <span className="badge">Needed</span>}
                  <span className="muted">{p.plain}</span>
                  <Caution text={p.caution} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{product} has no application permissions: access is granted inside {product} (see the guide's last step).</p>
          )}
        </section>
      </div>
    );
  }
  return (
    <div className="step-body">
      <fieldset className="card choice-group" aria-busy={list.state.status === "running"}>
        <legend>What may D365 Connect do in {product} while you are signed in?</legend>
        <p className="muted" data-testid="permissions-kind">
          These are <strong>delegated permissions</strong>: D365 Connect acts as the person who signs in, and never does more than that
          person may do in {product}. The recommended ones are ticked.
        </p>
        {all.map((p) => (
          <label key={p.name} className="choice" data-testid={`permission-${p.name}`}>
            <input type="checkbox" checked={draft.scopes.includes(p.name)} onChange={(e) => toggle(p.name, e.target.checked)} />
            <span>
              <strong>
                {p.name}
                {p.default && <span className="badge">Recommended</span>}
              </strong>
              <span className="muted">{p.plain}</span>
              <Caution text={p.caution} />
            </span>
          </label>
        ))}
        {draft.scopes.length === 0 && (
          <p className="notice" role="status">
            Nothing ticked: D365 Connect will ask for every permission the app registration lists.
          </p>
        )}
      </fieldset>
    </div>
  );
}
