import { useEffect, useState } from "react";
import type { SecretStoreStatus } from "../bindings/SecretStoreStatus";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { IpcError, secretStoreStatus, toUserError } from "../ipc";

type State = { status: "loading" } | { status: "ready"; value: SecretStoreStatus } | { status: "failed"; problem: UserError };

/** Where client secrets will be kept on this computer. */
export function SecretStoreCard() {
  const [state, setState] = useState<State>({ status: "loading" });

  useEffect(() => {
    let live = true;
    secretStoreStatus().then(
      (value) => live && setState({ status: "ready", value }),
      (e: unknown) => live && setState({ status: "failed", problem: e instanceof IpcError ? e.problem : toUserError(e) }),
    );
    return () => {
      live = false;
    };
  }, []);

  if (state.status === "failed") return <ErrorPanel problem={state.problem} />;

  const ready = state.status === "ready" ? state.value : null;
  return (
    <section
      className="card secret-store"
      aria-label="Secret storage"
      aria-busy={!ready}
      data-testid="secret-store-status"
      data-backend={ready?.backend}
    >
      <h2>Where your client secret is kept</h2>
      {ready ? (
        <>
          <p>
            <span className={`dot ${ready.persistent ? "ok" : "warn"}`} aria-hidden="true" />
            {ready.label}
          </p>
          <p className="muted">
            {ready.persistent
              ? "Secrets are saved in your system's keychain and remembered next time. They are never written to a file."
              : "Secrets are kept in memory only and forgotten when you close the app."}
          </p>
          {ready.advice && (
            <p className="notice warn" role="status">
              {ready.advice}
            </p>
          )}
        </>
      ) : (
        <>
          <p className="skeleton" />
          <p className="skeleton short" />
        </>
      )}
    </section>
  );
}
