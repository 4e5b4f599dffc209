import { useEffect, useState } from "react";
import type { CheckResult } from "../bindings/CheckResult";
import type { UserError } from "../bindings/UserError";
import { CopyButton } from "../components/CopyButton";
import { ErrorPanel } from "../components/ErrorPanel";
import { problemOf, useCall } from "../connection/useCall";
import { openInBrowser, runChecks, setupBusinessCentralPage } from "../ipc";

type Check =
  | { at: "idle" }
  | { at: "checking" }
  | { at: "accepted"; detail: string }
  | { at: "refused"; result: CheckResult }
  | { at: "failed"; problem: UserError };

/** Checks Entra itself makes before Business Central is even asked: a brand-new app can fail them for a few minutes. */
const ENTRA_CHECKS = ["app", "token", "consent", "verdict"];

/** What the checks say about Business Central accepting the app: its own check, else what stopped it being asked. */
function verdictOf(results: CheckResult[]): Check {
  const inProduct = results.find((r) => r.id === "in-product");
  if (inProduct?.status === "Pass") return { at: "accepted", detail: inProduct.detail };
  const refused = inProduct?.status === "Fail" ? inProduct : (results.find((r) => r.status === "Fail") ?? inProduct);
  if (!refused) {
    return {
      at: "failed",
      problem: { kind: "Internal", message: "The check did not say whether Business Central accepts the app.", fix: "Choose Check again.", details: null, setting: null },
    };
  }
  return { at: "refused", result: refused };
}

/** Business Central's side: the Microsoft Entra Applications page (no API for it), then Check again until BC accepts the app. */
export function BusinessCentralSide({ name, appName }: { name: string; appName: string }) {
  const page = useCall(setupBusinessCentralPage);
  const { run: loadPage } = page;
  const [check, setCheck] = useState<Check>({ at: "idle" });
  const [opened, setOpened] = useState<UserError | null>(null);

  useEffect(() => {
    void loadPage(name, appName);
  }, [loadPage, name, appName]);

  const checkAgain = async () => {
    setCheck({ at: "checking" });
    try {
      setCheck(verdictOf((await runChecks(name, () => {})).results));
    } catch (e) {
      setCheck({ at: "failed", problem: problemOf(e) });
    }
  };

  const open = async (url: string) => {
    setOpened(null);
    try {
      await openInBrowser(url);
    } catch (e) {
      setOpened(problemOf(e));
    }
  };

  if (page.state.status === "failed") return <ErrorPanel problem={page.state.problem} />;
  if (page.state.status !== "done") return <p className="skeleton" />;
  const p = page.state.value;
  return (
    <section className="card product-side" data-testid="bc-entra-applications">
      <h2>Allow the app inside Business Central</h2>
      <p>
        Business Central keeps its own list of apps that may connect, and offers no way for D365 Connect to add one. A Business Central
        administrator adds it on the <strong>Microsoft Entra Applications</strong> page:
      </p>
      <ol className="product-side-steps">
        {p.steps.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <dl className="copy-values">
        <div>
          <dt>Client ID</dt>
          <dd>
            <code data-testid="bc-client-id">{p.client_id}</code>
            <CopyButton value={p.client_id} label={`Client ID ${p.client_id}`} />
          </dd>
        </div>
        <div>
          <dt>Description</dt>
          <dd>
            <code>{p.description}</code>
            <CopyButton value={p.description} label={`Description ${p.description}`} />
          </dd>
        </div>
        <div>
          <dt>Permission sets</dt>
          <dd>
            {p.permission_sets.map((s) => (
              <code key={s}>{s}</code>
            ))}
          </dd>
        </div>
      </dl>
      <div className="actions">
        {p.url && (
          <button type="button" className="button" data-testid="bc-open-page" onClick={() => void open(p.url ?? "")}>
            Open Microsoft Entra Applications
          </button>
        )}
        <button
          type="button"
          className="button primary"
          data-testid="bc-check-again"
          onClick={() => void checkAgain()}
          disabled={check.at === "checking"}
        >
          {check.at === "checking" ? "Checking…" : "Check again"}
        </button>
      </div>
      {opened && <ErrorPanel problem={opened} />}
      <div aria-live="polite" data-testid="bc-check">
        {check.at === "accepted" && (
          <p className="ok" data-testid="bc-accepted">
            <span className="dot ok" aria-hidden="true" />
            {check.detail}
          </p>
        )}
        {check.at === "refused" && (
          <div className="notice warn" data-testid="bc-not-yet">
            <p>
              <strong>Not yet:</strong> {check.result.detail}
            </p>
            {check.result.fix && <p>{check.result.fix}</p>}
            {ENTRA_CHECKS.includes(check.result.id) && (
              <p>A new app can take a few minutes to reach all of Microsoft's servers. If you have just set it up, wait a minute and check again.</p>
            )}
          </div>
        )}
        {check.at === "failed" && <ErrorPanel problem={check.problem} />}
      </div>
    </section>
  );
}
