import type { Cloud } from "../bindings/Cloud";
import { useDraft } from "../connection/DraftContext";
import { PRODUCTS } from "../connection/draft";

const CLOUDS: { kind: "Public" | "UsGov" | "China"; name: string; hint: string }[] = [
  { kind: "Public", name: "Public", hint: "Most companies. Sign-in at login.microsoftonline.com." },
  { kind: "UsGov", name: "US Government", hint: "GCC High and DoD tenants. Sign-in at login.microsoftonline.us." },
  { kind: "China", name: "China (21Vianet)", hint: "Tenants operated by 21Vianet. Sign-in at login.partner.microsoftonline.cn." },
];

/** Product and cloud: two plain choices. */
export function ProductStep() {
  const { draft, update } = useDraft();
  const cloudKind = draft.cloud.kind;
  return (
    <div className="step-body">
      <fieldset className="card choice-group">
        <legend>Which Dynamics 365 product do you connect to?</legend>
        {PRODUCTS.map((p) => (
          <label key={p.id} className="choice" data-testid={`product-${p.id}`}>
            <input
              type="radio"
              name="product"
              value={p.id}
              checked={draft.product === p.id}
              onChange={() => update({ product: p.id, scopes: [], environment: draft.sandbox ? sandboxEnvironment(draft, p.id) : null, company: null })}
            />
            <span>
              <strong>{p.name}</strong>
              <span className="muted">{p.blurb}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {cloudKind === "Custom" ? (
        <section className="card" data-testid="cloud-custom">
          <h2>Cloud</h2>
          <p>
            This connection uses the <strong>sandbox tenant</strong> running inside D365 Connect, at{" "}
            <code>{draft.cloud.kind === "Custom" ? draft.cloud.custom.authority : ""}</code>. Nothing leaves your computer.
          </p>
        </section>
      ) : (
        <fieldset className="card choice-group">
          <legend>Which Microsoft cloud is your company on?</legend>
          {CLOUDS.map((c) => (
            <label key={c.kind} className="choice" data-testid={`cloud-${c.kind}`}>
              <input
                type="radio"
                name="cloud"
                value={c.kind}
                checked={cloudKind === c.kind}
                onChange={() => update({ cloud: { kind: c.kind } as Cloud })}
              />
              <span>
                <strong>{c.name}</strong>
                <span className="muted">{c.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
    </div>
  );
}

/** The sandbox serves every product; switching product picks its environment. */
function sandboxEnvironment(draft: ReturnType<typeof useDraft>["draft"], product: string): string | null {
  const s = draft.sandbox;
  if (!s) return null;
  if (product === "FinanceOperations") return s.fno_url;
  if (product === "Dataverse") return s.dataverse_url;
  return s.bc_environment;
}
