import type { SetupSignInInfo } from "../bindings/SetupSignInInfo";

/** Before the browser opens: which app the administrator signs in to, why, and the role it takes. */
export function SignInExplained({ info }: { info: SetupSignInInfo }) {
  return (
    <section className="card" data-testid="setup-sign-in-info">
      <h2>Who signs in, and why</h2>
      <p>
        An administrator of your organization signs in, in the browser, to <strong>{info.app_name}</strong>{" "}
        <span className="muted">({info.client_id})</span>. {info.why}
      </p>
      <p>
        They need one of these roles in Microsoft Entra: <strong>{info.roles.join(", ")}</strong>. A Global Administrator can too.
      </p>
      <details>
        <summary>What the sign-in allows</summary>
        <ul className="plain-list">
          {info.permissions.map((p) => (
            <li key={p}>
              <code>{p}</code>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
