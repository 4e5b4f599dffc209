import type { TokenInfo } from "../bindings/TokenInfo";
import { SecretExpiryNote } from "../start/SecretExpiryNote";

const when = (exp: number) => new Date(exp * 1000).toLocaleString();

/** Who is signed in, for which tenant and API, what the token allows,
 * whether it can call the product, and when the app's secret expires (its
 * date, when the connection knows it). */
export function TokenPanel({
  info,
  secretExpiresOn = null,
  onReplaceSecret,
}: {
  info: TokenInfo;
  secretExpiresOn?: string | null;
  /** Offered once the secret is expiring soon or has expired. */
  onReplaceSecret?: () => void;
}) {
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
      {secretExpiresOn && <SecretExpiryNote expiresOn={secretExpiresOn} onReplace={onReplaceSecret} />}
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
