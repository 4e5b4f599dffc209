// The connection being set up, step by step. The client secret lives here
// only until the profile is saved; then it is in the keychain and the
// draft forgets it.
import type { Cloud } from "../bindings/Cloud";
import type { NetworkSettings } from "../bindings/NetworkSettings";
import type { Product } from "../bindings/Product";
import products from "../bindings/products.json";
import type { Profile } from "../bindings/Profile";
import type { Registration } from "../bindings/Registration";
import type { SandboxTenant } from "../bindings/SandboxTenant";
import type { SecretCredential } from "../bindings/SecretCredential";
import type { SetupRecord } from "../bindings/SetupRecord";

export interface Draft {
  name: string;
  product: Product;
  cloud: Cloud;
  registration: Registration;
  tenant: string;
  clientId: string;
  /** Typed on the Credentials step; empty once saved to the keychain. */
  secret: string;
  /** The secret's Expires date (YYYY-MM-DD, as a date input gives it), or
   * empty when not known. */
  secretExpires: string;
  /** The secret's Secret ID, if given. */
  secretId: string;
  /** The first characters of the saved secret, kept as they were saved;
   * a new secret forgets them. */
  secretHint: string | null;
  /** What "Set it up for me" made, kept so saving again does not lose it. */
  setup: SetupRecord | null;
  /** The customer and tags `d365c` filed the connection under, kept so
   * saving from the app does not lose them. */
  customer: string | null;
  tags: string[];
  /** Permission names; empty means "the defaults". */
  scopes: string[];
  /** BC: environment name; F&O and Dataverse: environment URL. */
  environment: string | null;
  company: string | null;
  network: NetworkSettings;
  /** A company named in a pasted Business Central address (a name or an
   * ID), chosen on the Environment step once the companies are listed. */
  wantedCompany: string | null;
  /** Whether the profile exists on disk under `name`. */
  saved: boolean;
  /** Set when the user chose "Try the sandbox tenant". */
  sandbox: SandboxTenant | null;
}

export const EMPTY_DRAFT: Draft = {
  name: "",
  product: "BusinessCentral",
  cloud: { kind: "Public" },
  registration: "SignInWithoutSecret",
  tenant: "",
  clientId: "",
  secret: "",
  secretExpires: "",
  secretId: "",
  secretHint: null,
  setup: null,
  customer: null,
  tags: [],
  scopes: [],
  environment: null,
  company: null,
  network: { long_timeout: false, retry_failed: true },
  wantedCompany: null,
  saved: false,
  sandbox: null,
};

export const needsSecret = (registration: Registration): boolean => registration !== "SignInWithoutSecret";

/** What the profile keeps about the secret: its expiry, when the
 * connection uses a secret and the date is known. */
export function secretCredential(draft: Draft): SecretCredential | null {
  if (!needsSecret(draft.registration) || draft.secretExpires === "") return null;
  return { key_id: draft.secretId.trim() === "" ? null : draft.secretId.trim(), hint: draft.secretHint, expires_on: draft.secretExpires };
}

export function toProfile(draft: Draft): Profile {
  return {
    name: draft.name.trim(),
    product: draft.product,
    cloud: draft.cloud,
    tenant: draft.tenant.trim(),
    client_id: draft.clientId.trim(),
    registration: draft.registration,
    scopes: draft.scopes,
    environment: draft.environment,
    company: draft.company,
    network: draft.network,
    secret: secretCredential(draft),
    setup: draft.setup,
    customer: draft.customer,
    tags: draft.tags,
  };
}

export function fromProfile(profile: Profile): Draft {
  return {
    ...EMPTY_DRAFT,
    name: profile.name,
    product: profile.product,
    cloud: profile.cloud,
    registration: profile.registration,
    tenant: profile.tenant,
    clientId: profile.client_id,
    scopes: profile.scopes,
    environment: profile.environment,
    company: profile.company,
    network: profile.network,
    secretExpires: profile.secret?.expires_on ?? "",
    secretId: profile.secret?.key_id ?? "",
    secretHint: profile.secret?.hint ?? null,
    setup: profile.setup,
    customer: profile.customer,
    tags: profile.tags,
    saved: true,
  };
}

/** The sandbox's demo tenant, ready for a background-service connection. */
export function sandboxDraft(tenant: SandboxTenant): Draft {
  return {
    ...EMPTY_DRAFT,
    name: "CRONUS sandbox",
    cloud: tenant.cloud,
    registration: "BackgroundService",
    tenant: tenant.tenant,
    clientId: tenant.client_id ?? "",
    secret: tenant.client_secret ?? "",
    environment: tenant.bc_environment,
    sandbox: tenant,
  };
}

/** The environment a product needs before connecting: F&O always (its URL
 * is the token's audience); Dataverse when the app signs in on its own,
 * since Global Discovery lists environments to signed-in users only
 * (docs/microsoft.md §7, docs/sandbox-fidelity.md §M6); a person signing in
 * to Dataverse can pick one afterwards. */
export const needsEnvironmentUrl = (product: Product, registration: Registration): boolean =>
  product === "FinanceOperations" || (product === "Dataverse" && registration === "BackgroundService");

/** A Credentials field a sign-in cannot do without, left empty. */
export interface MissingCredential {
  /** The field's data-testid. */
  field: "connection-name" | "tenant" | "client-id" | "client-secret" | "environment-url";
  kind: "InvalidInput" | "SecretRequired";
  message: string;
  /** What to type, wherever the admin is told. */
  action: string;
}

/** The first empty field, in the order the Credentials step shows them. */
export function missingCredential(draft: Draft): MissingCredential | null {
  const missing: (MissingCredential | false)[] = [
    draft.name.trim() === "" && { field: "connection-name", kind: "InvalidInput", message: "The connection has no name.", action: "Type a name for it." },
    draft.tenant.trim() === "" && { field: "tenant", kind: "InvalidInput", message: "The tenant is empty.", action: "Enter your directory (tenant) ID or domain." },
    draft.clientId.trim() === "" && { field: "client-id", kind: "InvalidInput", message: "The client ID is empty.", action: "Enter the app's Application (client) ID." },
    needsSecret(draft.registration) &&
      draft.secret === "" &&
      !draft.saved && { field: "client-secret", kind: "SecretRequired", message: "This kind of app needs its client secret.", action: "Paste the secret's Value." },
    needsEnvironmentUrl(draft.product, draft.registration) &&
      !draft.environment && {
        field: "environment-url",
        kind: "InvalidInput",
        message: `${productName(draft.product)} needs its environment URL.`,
        action: "Paste the address you open it at.",
      },
  ];
  return missing.find((m): m is MissingCredential => m !== false) ?? null;
}

/** The products as the core names them (written by its tests, like the
 * bindings). */
export const PRODUCTS: readonly { id: Product; name: string; blurb: string }[] = products as { id: Product; name: string; blurb: string }[];

export const productName = (product: Product): string => PRODUCTS.find((p) => p.id === product)?.name ?? product;
