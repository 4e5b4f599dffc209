// What the administrator fills in before setup (or before the hand-off
// pack is made), and how it becomes the backend's request and profile.
import type { Profile } from "../bindings/Profile";
import type { SetupRequest } from "../bindings/SetupRequest";
import { fromProfile, needsEnvironmentUrl, productName, type Draft } from "../connection/draft";

export type SecretMonths = 6 | 12 | 24;

export interface SetupFormValues {
  /** The saved connection's name. */
  name: string;
  tenant: string;
  /** The app's name in Microsoft Entra. */
  appName: string;
  secretMonths: SecretMonths;
  /** BC: environment name; F&O and Dataverse: environment URL. */
  environment: string;
  /** The public client the administrator signs in to. */
  setupClientId: string;
}

/** Connection names take letters, digits, spaces, dots, dashes and underscores. */
const defaultName = (draft: Draft) => draft.name.trim() || productName(draft.product).replace(/&/g, "and");

/** The form as the draft leaves it; `appName` and `setupClientId` come from the backend's defaults. */
export function initialValues(draft: Draft, appName: string, setupClientId: string): SetupFormValues {
  return {
    name: defaultName(draft),
    tenant: draft.tenant.trim(),
    appName,
    secretMonths: 12,
    environment: draft.environment ?? (draft.product === "BusinessCentral" ? "Production" : ""),
    setupClientId,
  };
}

/** Whether the form asks for the environment: wherever the product side or the connection needs it. */
export const asksForEnvironment = (draft: Draft): boolean =>
  draft.registration === "BackgroundService" || needsEnvironmentUrl(draft.product, draft.registration);

export function toRequest(draft: Draft, form: SetupFormValues): SetupRequest {
  const environment = asksForEnvironment(draft) ? form.environment.trim() : (draft.environment ?? "");
  return {
    name: form.name.trim(),
    product: draft.product,
    cloud: draft.cloud,
    tenant: form.tenant.trim(),
    registration: draft.registration,
    app_name: form.appName.trim(),
    secret_months: form.secretMonths,
    environment: environment === "" ? null : environment,
    company: draft.company,
  };
}

/** The draft once a connection was saved by setup or import: the wizard
 *  carries on with it; the sandbox tenant, when it is one, stays. */
export function draftFromSaved(profile: Profile): Partial<Draft> {
  const saved: Partial<Draft> = fromProfile(profile);
  delete saved.sandbox;
  delete saved.wantedCompany;
  return saved;
}
