import type { TokenInfo } from "../bindings/TokenInfo";

const when = (exp: number) => new Date(exp * 1000).toLocaleString();

/** Who is signed in, for which tenant and API, what the token allows, and
 * whether it can call the product. */
export function TokenPanel({ info }: { info: TokenInfo }) {
  const { claims, verdict } = info;
  return (
    <section className="card token-panel" data-testid="token-panel" aria-label="Your access token">
      <p className={`verdict ${verdict.usable ? "ok" : "bad"}`} data-testid="token-verdict">
        <span className={`dot ${verdict.usable ? "ok" : "warn"}`} aria-hidden="true" />
        {verdict.summary}
      </p>
      {verdict.problems.length > 0 && (
        <ul className="verdict-problems">
          {verdict.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <dl className="facts">
        <dt>Signed in as</dt>
        <dd>{claims.upn ?? "The app itself (no user)"}</dd>
        <dt>Tenant</dt>
        <dd>
          <code>{claims.tid ?? "—"}</code>
        </dd>
        <dt>For (audience)</dt>
        <dd>
          <code>{claims.aud}</code>
        </dd>
        <dt>{claims.roles.length > 0 ? "App permissions" : "Permissions"}</dt>
        <dd>{(claims.roles.length > 0 ? claims.roles.join(", ") : claims.scp) ?? "—"}</dd>
        <dt>App</dt>
        <dd>
          <code>{claims.appid ?? "—"}</code>
        </dd>
        <dt>Expires</dt>
        <dd>{when(claims.exp)}</dd>
      </dl>
      {verdict.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
    </section>
  );
}
