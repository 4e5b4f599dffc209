import { useEffect, useState } from "react";
import type { NetworkSettings } from "../bindings/NetworkSettings";
import type { CheckedText } from "../bindings/CheckedText";
import { Field } from "../components/Field";
import { useDraft } from "../connection/DraftContext";
import type { UserError } from "../bindings/UserError";
import { missingCredential, needsEnvironmentUrl, needsSecret, productName } from "../connection/draft";
import { useCall } from "../connection/useCall";
import { checkClientId, checkEnvironmentUrl, checkSecret, checkTenant, readBcUrl } from "../ipc";
import { SecretExpiryNote } from "../start/SecretExpiryNote";
import { useShownBlocker, useStepStatus } from "../wizard/progress";
import { SecretStoreCard } from "./SecretStoreCard";

const fieldTarget = (testId: string) => `[data-testid="${testId}"]`;

/** The blocker Next showed, as the problem of the field it is about. */
function useShownAt(step: "credentials") {
  const shown = useShownBlocker(step);
  return (testId: string): UserError | null =>
    shown && shown.target === fieldTarget(testId)
      ? { kind: "InvalidInput", message: shown.message, fix: "", details: null, setting: null }
      : null;
}

/** Re-runs a check a moment after the user stops typing. */
function useChecked<T>(value: string, check: (raw: string) => Promise<T | undefined>, enabled = true) {
  useEffect(() => {
    if (!enabled || value.trim() === "") return;
    const timer = setTimeout(() => void check(value), 250);
    return () => clearTimeout(timer);
  }, [value, check, enabled]);
}

const looksLikeBcUrl = (raw: string) => /businesscentral\.dynamics\.com|\/v2\.0\//i.test(raw);

/** The connection's network settings, as SmartConnect-style switches. */
const NETWORK_CHOICES: { key: keyof NetworkSettings; testId: string; title: string; plain: string }[] = [
  {
    key: "long_timeout",
    testId: "long-timeout",
    title: "Allow long timeout",
    plain: "Let one request run up to 10 minutes instead of 1, for big tables or slow environments.",
  },
  {
    key: "retry_failed",
    testId: "retry-failed",
    title: "Retry failed requests",
    plain: "Try again after a dropped connection or a gateway error. Requests the service asks to slow down are always retried.",
  },
];

/** Tenant, client ID, secret and environment URL, checked as you type. */
export function CredentialsStep() {
  const { draft, update } = useDraft();
  const tenant = useCall(checkTenant);
  const client = useCall(checkClientId);
  const secret = useCall(checkSecret);
  const env = useCall((raw: string) => checkEnvironmentUrl(draft.product, draft.cloud, raw));
  const bcUrl = useCall(readBcUrl);
  const [pasted, setPasted] = useState<string | null>(null);

  useChecked(draft.tenant, tenant.run, !looksLikeBcUrl(draft.tenant));
  useChecked(draft.clientId, client.run);
  useChecked(draft.secret, secret.run);
  useChecked(draft.environment ?? "", env.run, draft.product !== "BusinessCentral");

  const onTenant = async (raw: string) => {
    update({ tenant: raw });
    if (!looksLikeBcUrl(raw)) return;
    const read = await bcUrl.run(raw);
    if (read) {
      update({ tenant: read.url.tenant?.value ?? "", environment: read.url.environment, wantedCompany: read.url.company });
      setPasted(
        `We read this Business Central address: environment “${read.url.environment}”${read.url.tenant ? `, tenant ${read.url.tenant.value}` : ""}${read.url.company ? `, company “${read.url.company}” (chosen on the Environment step)` : ""}.`,
      );
    }
  };

  const notices = (s: { status: string; value?: CheckedText | string[] }) =>
    s.status === "done" ? (Array.isArray(s.value) ? s.value : (s.value?.notices ?? [])) : [];
  const problem = (s: { status: string; problem?: UserError }) => (s.status === "failed" ? (s.problem ?? null) : null);

  // The first field that stops a sign-in: empty, or refused by its check.
  const refused: [string, UserError | null][] = [
    ["tenant", problem(bcUrl.state) ?? problem(tenant.state)],
    ["client-id", problem(client.state)],
    ["client-secret", problem(secret.state)],
    ["environment-url", problem(env.state)],
  ];
  const missing = missingCredential(draft);
  const firstRefused = refused.find(([, p]) => p !== null);
  useStepStatus(
    "credentials",
    !missing && !firstRefused,
    missing
      ? { message: `${missing.message} ${missing.action}`, target: fieldTarget(missing.field) }
      : firstRefused
        ? { message: firstRefused[1]!.message, target: fieldTarget(firstRefused[0]) }
        : null,
  );
  const shownAt = useShownAt("credentials");

  return (
    <div className="step-body">
      <section className="card form">
        <Field
          label="Connection name"
          hint="How this connection is listed on the start page: letters, digits, spaces, dots, dashes and underscores."
          problem={shownAt("connection-name")}
        >
          {({ id, describedBy }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              data-testid="connection-name"
              value={draft.name}
              disabled={draft.saved}
              onChange={(e) => update({ name: e.target.value })}
              placeholder={`${productName(draft.product)} – Contoso`}
            />
          )}
        </Field>
        <Field
          label="Tenant"
          hint="Directory (tenant) ID or domain, e.g. contoso.onmicrosoft.com. You can also paste a Business Central web service address."
          problem={problem(bcUrl.state) ?? problem(tenant.state) ?? shownAt("tenant")}
          notices={pasted ? [pasted, ...notices(tenant.state)] : notices(tenant.state)}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              data-testid="tenant"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={draft.tenant}
              onChange={(e) => void onTenant(e.target.value)}
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          label="Application (client) ID"
          hint="On the app's Overview page in the Entra admin center."
          problem={problem(client.state) ?? shownAt("client-id")}
          notices={notices(client.state)}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              data-testid="client-id"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={draft.clientId}
              onChange={(e) => update({ clientId: e.target.value })}
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>
        {needsSecret(draft.registration) && (
          <Field
            label="Client secret (Value)"
            hint={
              draft.saved && draft.secret === ""
                ? "Saved in your keychain. Type a new one only to replace it."
                : "From Certificates & secrets: the Value column, not the Secret ID."
            }
            problem={problem(secret.state) ?? shownAt("client-secret")}
            notices={notices(secret.state)}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="password"
                data-testid="client-secret"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={draft.secret}
                // The saved secret's first characters are not this one's.
                onChange={(e) => update({ secret: e.target.value, secretHint: null })}
                autoComplete="off"
              />
            )}
          </Field>
        )}
        {needsSecret(draft.registration) && (
          <div className="secret-details">
            <Field
              label="Secret expires on (optional)"
              hint="The Expires column next to the secret. D365 Connect reminds you 30 days before it stops working."
            >
              {({ id, describedBy }) => (
                <>
                  <input
                    id={id}
                    type="date"
                    data-testid="secret-expires"
                    aria-describedby={describedBy}
                    value={draft.secretExpires}
                    onChange={(e) => update({ secretExpires: e.target.value })}
                  />
                  {draft.secretExpires !== "" && <SecretExpiryNote expiresOn={draft.secretExpires} />}
                </>
              )}
            </Field>
            <Field label="Secret ID (optional)" hint="The Secret ID column: tells this secret apart from the app's other secrets.">
              {({ id, describedBy }) => (
                <input
                  id={id}
                  data-testid="secret-id"
                  aria-describedby={describedBy}
                  value={draft.secretId}
                  onChange={(e) => update({ secretId: e.target.value })}
                  spellCheck={false}
                  autoComplete="off"
                />
              )}
            </Field>
          </div>
        )}
        {draft.product !== "BusinessCentral" && (
          <Field
            label={`${productName(draft.product)} environment URL${needsEnvironmentUrl(draft.product, draft.registration) ? "" : " (optional)"}`}
            hint={
              draft.product === "FinanceOperations"
                ? "The address you open F&O at, e.g. https://contoso.operations.dynamics.com."
                : needsEnvironmentUrl(draft.product, draft.registration)
                  ? "e.g. https://contoso.crm.dynamics.com. An app signing in on its own cannot list environments, so paste its URL."
                  : "e.g. https://contoso.crm.dynamics.com. Leave empty to pick one after signing in."
            }
            problem={problem(env.state) ?? shownAt("environment-url")}
            notices={notices(env.state)}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                data-testid="environment-url"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={draft.environment ?? ""}
                onChange={(e) => update({ environment: e.target.value === "" ? null : e.target.value })}
                spellCheck={false}
              />
            )}
          </Field>
        )}
      </section>
      <fieldset className="card choice-group" data-testid="network-settings">
        <legend>When {productName(draft.product)} is slow or a request fails</legend>
        {NETWORK_CHOICES.map(({ key, testId, title, plain }) => (
          <label key={key} className="choice">
            <input
              type="checkbox"
              data-testid={testId}
              checked={draft.network[key]}
              onChange={(e) => update({ network: { ...draft.network, [key]: e.target.checked } })}
            />
            <span>
              <strong>{title}</strong>
              <span className="muted">{plain}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {needsSecret(draft.registration) && <SecretStoreCard />}
    </div>
  );
}
