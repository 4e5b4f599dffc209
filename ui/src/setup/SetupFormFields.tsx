import { Field } from "../components/Field";
import type { Draft } from "../connection/draft";
import { needsSecret, productName } from "../connection/draft";
import { asksForEnvironment, type SecretMonths, type SetupFormValues } from "./setupForm";

const LIFETIMES: { months: SecretMonths; label: string }[] = [
  { months: 6, label: "6 months" },
  { months: 12, label: "12 months" },
  { months: 24, label: "24 months" },
];

interface Props {
  draft: Draft;
  form: SetupFormValues;
  onChange: (patch: Partial<SetupFormValues>) => void;
  /** The setup client ID is asked only when the administrator signs in here. */
  advanced: boolean;
  disabled?: boolean;
}

/** The few choices setup needs: the tenant, the app's name, how long its secret lives, and where it connects. */
export function SetupFormFields({ draft, form, onChange, advanced, disabled = false }: Props) {
  const product = productName(draft.product);
  const environmentIsUrl = draft.product !== "BusinessCentral";
  return (
    <fieldset className="card form setup-form" disabled={disabled} data-testid="setup-form">
      <legend>What to set up</legend>
      <Field label="Connection name" hint="How D365 Connect lists this connection: letters, digits, spaces, dots, dashes and underscores.">
        {({ id, describedBy }) => (
          <input
            id={id}
            aria-describedby={describedBy}
            data-testid="setup-name"
            value={form.name}
            onChange={(e) => onChange({ name: e.target.value })}
          />
        )}
      </Field>
      <Field label="Tenant" hint="Your organization's directory (tenant) ID or domain, e.g. contoso.onmicrosoft.com.">
        {({ id, describedBy }) => (
          <input
            id={id}
            aria-describedby={describedBy}
            data-testid="setup-tenant"
            value={form.tenant}
            onChange={(e) => onChange({ tenant: e.target.value })}
            spellCheck={false}
            autoComplete="off"
          />
        )}
      </Field>
      <Field label="App name" hint="How the app is listed in the Microsoft Entra admin center, so whoever finds it later knows what it is for.">
        {({ id, describedBy }) => (
          <input
            id={id}
            aria-describedby={describedBy}
            data-testid="setup-app-name"
            value={form.appName}
            onChange={(e) => onChange({ appName: e.target.value })}
          />
        )}
      </Field>
      {asksForEnvironment(draft) && (
        <Field
          label={environmentIsUrl ? `${product} environment URL` : `${product} environment`}
          hint={
            environmentIsUrl
              ? `The address you open ${product} at, e.g. ${draft.product === "Dataverse" ? "https://contoso.crm.dynamics.com" : "https://contoso.operations.dynamics.com"}.`
              : "Its name as the Business Central admin center shows it, e.g. Production."
          }
        >
          {({ id, describedBy }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              data-testid="setup-environment"
              value={form.environment}
              onChange={(e) => onChange({ environment: e.target.value })}
              spellCheck={false}
            />
          )}
        </Field>
      )}
      {needsSecret(draft.registration) && (
        <div className="field" role="radiogroup" aria-labelledby="secret-lifetime-label" aria-describedby="secret-lifetime-hint">
          <span className="field-label" id="secret-lifetime-label">
            The client secret lasts
          </span>
          <p className="field-hint" id="secret-lifetime-hint">
            When it ends, the connection stops until someone makes a new one. Shorter is safer; Microsoft advises less than 12 months.
          </p>
          <div className="segmented">
            {LIFETIMES.map((l) => (
              <label key={l.months} data-testid={`secret-months-${l.months}`}>
                <input
                  type="radio"
                  name="secret-lifetime"
                  checked={form.secretMonths === l.months}
                  onChange={() => onChange({ secretMonths: l.months })}
                />
                {l.label}
              </label>
            ))}
          </div>
        </div>
      )}
      {advanced && (
        <details className="advanced" data-testid="setup-advanced">
          <summary>Advanced</summary>
          <Field
            label="Setup app (client ID)"
            hint="The app the administrator signs in to for setup. Microsoft Graph Command Line Tools unless your organization gives you its own."
          >
            {({ id, describedBy }) => (
              <input
                id={id}
                aria-describedby={describedBy}
                data-testid="setup-client-id"
                value={form.setupClientId}
                onChange={(e) => onChange({ setupClientId: e.target.value })}
                spellCheck={false}
                autoComplete="off"
              />
            )}
          </Field>
        </details>
      )}
    </fieldset>
  );
}
