import { useEffect, useState } from "react";
import { ErrorPanel } from "../components/ErrorPanel";
import { useDraft } from "../connection/DraftContext";
import { productName } from "../connection/draft";
import { problemOf, useCall } from "../connection/useCall";
import { findCompany, listCompanies, listEnvironments } from "../ipc";
import type { UserError } from "../bindings/UserError";
import { BlockerNote, useStepStatus } from "../wizard/progress";

/** Where the choices are made: a listed one, else what lets the admin go on. */
const ENVIRONMENT_TARGET = '[data-testid="environments"] input, [data-testid="environments-retry"]';
const COMPANY_TARGET = '[data-testid="companies"] input';

const COMPANY_WORD = { BusinessCentral: "company", FinanceOperations: "legal entity", Dataverse: "business unit" } as const;

/** Pick the environment, then the company; each choice is saved at once. */
export function EnvironmentStep() {
  const { draft, save } = useDraft();
  const environments = useCall(listEnvironments);
  const companies = useCall(listCompanies);
  const [saveProblem, setSaveProblem] = useState<UserError | null>(null);
  const { run: loadEnvironments } = environments;
  const { run: loadCompanies } = companies;

  useEffect(() => {
    if (draft.saved) void loadEnvironments(draft.name);
  }, [draft.saved, draft.name, loadEnvironments]);

  useEffect(() => {
    if (draft.saved && draft.environment) void loadCompanies(draft.name);
  }, [draft.saved, draft.name, draft.environment, loadCompanies]);

  // A company named in a pasted Business Central address (its name, as
  // ODataV4 paths have it, or its ID) is chosen once the list shows it.
  const listed = companies.state.status === "done" ? companies.state.value : null;
  useEffect(() => {
    if (!listed || !draft.wantedCompany || draft.company) return;
    let current = true;
    void findCompany(listed, draft.wantedCompany).then((found) => {
      if (found && current) void save({ company: found.id, wantedCompany: null });
    });
    return () => {
      current = false;
    };
  }, [listed, draft.wantedCompany, draft.company, save]);

  const [typed, setTyped] = useState("");
  const choose = async (patch: { environment?: string; company?: string | null }) => {
    try {
      setSaveProblem(null);
      await save(patch);
    } catch (e) {
      setSaveProblem(problemOf(e));
    }
  };

  // Business Central reads nothing without a company; F&O without one reads
  // every legal entity, and Dataverse has none in its URLs.
  useStepStatus(
    "environment",
    Boolean(draft.environment) && (draft.product !== "BusinessCentral" || Boolean(draft.company)),
    !draft.saved
      ? { message: "Connect first; then choose the environment here.", target: '[data-step="connect"]' }
      : !draft.environment
        ? { message: "Choose the environment to work with.", target: ENVIRONMENT_TARGET }
        : draft.product === "BusinessCentral" && !draft.company
          ? { message: "Choose the company to work with.", target: COMPANY_TARGET }
          : null,
  );
  if (!draft.saved) {
    return (
      <div className="step-body">
        <p className="notice">Connect first (the Connect step), then choose the environment and company here.</p>
      </div>
    );
  }
  const word = COMPANY_WORD[draft.product];
  // Typing the name helps when only the list is out of reach (it needs
  // rights the data may not); not when BC refuses the app altogether.
  const listUnreadable =
    (environments.state.status === "failed" &&
      !["AppNotRegisteredInProduct", "ConsentRequired"].includes(environments.state.problem.kind)) ||
    (environments.state.status === "done" && environments.state.value.length === 0);
  // One refusal (e.g. the app is not registered in the product) fails both
  // lists: say it once.
  const repeated =
    environments.state.status === "failed" &&
    companies.state.status === "failed" &&
    environments.state.problem.message === companies.state.problem.message;
  return (
    <div className="step-body">
      {saveProblem && <ErrorPanel problem={saveProblem} />}
      <fieldset className="card choice-group" aria-busy={environments.state.status === "running"} data-testid="environments">
        <legend>Environment</legend>
        {environments.state.status === "failed" && (
          <>
            <ErrorPanel problem={environments.state.problem} />
            <button
              type="button"
              className="button small"
              data-testid="environments-retry"
              onClick={() => {
                void loadEnvironments(draft.name);
                if (draft.environment) void loadCompanies(draft.name);
              }}
            >
              Try again
            </button>
          </>
        )}
        {draft.product === "BusinessCentral" && listUnreadable && (
            <form
              className="typed-environment"
              onSubmit={(e) => {
                e.preventDefault();
                if (typed.trim()) void choose({ environment: typed.trim(), company: null });
              }}
            >
              <label htmlFor="typed-environment">Or type the environment's name</label>
              <p className="field-hint" id="typed-environment-hint">
                As the Business Central admin center shows it, for example Production or Sandbox.
              </p>
              <div className="inline-form">
                <input
                  id="typed-environment"
                  data-testid="typed-environment"
                  aria-describedby="typed-environment-hint"
                  value={typed}
                  onChange={(e) => setTyped(e.target.value)}
                  spellCheck={false}
                />
                <button type="submit" className="button small" data-testid="use-typed-environment" disabled={!typed.trim()}>
                  Use this environment
                </button>
              </div>
              {draft.environment && <p className="muted">Using “{draft.environment}”.</p>}
            </form>
          )}
        {environments.state.status === "running" && <p className="skeleton" />}
        {environments.state.status === "done" &&
          (environments.state.value.length === 0 ? (
            <p className="muted">No environments were listed for you in this tenant.</p>
          ) : (
            environments.state.value.map((env) => (
              <label key={env.id} className="choice" data-testid={`environment-${env.name}`}>
                <input
                  type="radio"
                  name="environment"
                  checked={draft.environment === env.id}
                  onChange={() => void choose({ environment: env.id, company: null })}
                />
                <span>
                  <strong>{env.name}</strong>
                  <span className="muted">
                    {[env.kind && `${env.kind} environment`, env.id !== env.name && env.id].filter(Boolean).join(" · ")}
                  </span>
                </span>
              </label>
            ))
          ))}
        <BlockerNote step="environment" target={ENVIRONMENT_TARGET} />
      </fieldset>
      {draft.environment && (
        <fieldset className="card choice-group" aria-busy={companies.state.status === "running"} data-testid="companies">
          <legend>
            {word[0].toUpperCase() + word.slice(1)} in {productName(draft.product)}
          </legend>
          {companies.state.status === "failed" &&
            (repeated ? (
              <p className="muted">The same problem stops the list of companies: fix it above, then come back.</p>
            ) : (
              <ErrorPanel problem={companies.state.problem} />
            ))}
          {companies.state.status === "running" && <p className="skeleton" />}
          {companies.state.status === "done" &&
            companies.state.value.map((c) => (
              <label key={c.id} className="choice" data-testid={`company-${c.name}`}>
                <input type="radio" name="company" checked={draft.company === c.id} onChange={() => void choose({ company: c.id })} />
                <span>
                  <strong>{c.name}</strong>
                  <span className="muted">
                    <code>{c.id}</code>
                  </span>
                </span>
              </label>
            ))}
          <BlockerNote step="environment" target={COMPANY_TARGET} />
        </fieldset>
      )}
    </div>
  );
}
