import { Field } from "../components/Field";
import type { Draft } from "../connection/draft";
import { needsSecret, productName } from "../connection/draft";
import { asksForEnvironment, type SetupFormValues } from "./setupForm";
import { SecretLifetimeChoice, SetupAppField } from "./SetupChoices";

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
      {needsSecret(draft.registration) && <SecretLifetimeChoice months={form.secretMonths} onChange={(secretMonths) => onChange({ secretMonths })} />}
      {advanced && <SetupAppField clientId={form.setupClientId} onChange={(setupClientId) => onChange({ setupClientId })} />}
    </fieldset>
  );
}
