// The only door to the backend: every Tauri command is called from here, with
// types generated from Rust (src/bindings, by ts-rs). Components never call
// invoke themselves, so error handling and typing live in one place.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { About } from "./bindings/About";
import type { AdminTask } from "./bindings/AdminTask";
import type { AppInfo } from "./bindings/AppInfo";
import type { CheckedBcUrl } from "./bindings/CheckedBcUrl";
import type { CheckedText } from "./bindings/CheckedText";
import type { CheckResult } from "./bindings/CheckResult";
import type { Cloud } from "./bindings/Cloud";
import type { Column } from "./bindings/Column";
import type { Company } from "./bindings/Company";
import type { ConsentGranted } from "./bindings/ConsentGranted";
import type { EntitySummary } from "./bindings/EntitySummary";
import type { EnvironmentInfo } from "./bindings/EnvironmentInfo";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ExportProgress } from "./bindings/ExportProgress";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { EntraApplicationsPage } from "./bindings/EntraApplicationsPage";
import type { FnoProductSide } from "./bindings/FnoProductSide";
import type { GuideStep } from "./bindings/GuideStep";
import type { HandoffPack } from "./bindings/HandoffPack";
import type { Permission } from "./bindings/Permission";
import type { Product } from "./bindings/Product";
import type { Profile } from "./bindings/Profile";
import type { ProfileEntry } from "./bindings/ProfileEntry";
import type { Registration } from "./bindings/Registration";
import type { Report } from "./bindings/Report";
import type { ReportFormat } from "./bindings/ReportFormat";
import type { SandboxTenant } from "./bindings/SandboxTenant";
import type { SaveTarget } from "./bindings/SaveTarget";
import type { SecretCredential } from "./bindings/SecretCredential";
import type { SecretExpiry } from "./bindings/SecretExpiry";
import type { SecretReplaced } from "./bindings/SecretReplaced";
import type { SecretStoreStatus } from "./bindings/SecretStoreStatus";
import type { SecurityRole } from "./bindings/SecurityRole";
import type { SetupDefaults } from "./bindings/SetupDefaults";
import type { SetupDone } from "./bindings/SetupDone";
import type { SetupEvent } from "./bindings/SetupEvent";
import type { SetupRequest } from "./bindings/SetupRequest";
import type { SetupSignInInfo } from "./bindings/SetupSignInInfo";
import type { SignInEvent } from "./bindings/SignInEvent";
import type { TablePage } from "./bindings/TablePage";
import type { TableQuery } from "./bindings/TableQuery";
import type { TokenInfo } from "./bindings/TokenInfo";
import type { UserError } from "./bindings/UserError";
import type { FleetRow } from "./bindings/FleetRow";

/** A backend failure, always carrying the `{ kind, message, fix, details }` shape. */
export class IpcError extends Error {
  readonly problem: UserError;

  constructor(problem: UserError) {
    super(problem.message);
    this.name = "IpcError";
    this.problem = problem;
  }
}

// The kind is typed by the generated bindings; here we only make sure the
// rejection has the shape, whatever the kind.
function isUserError(value: unknown): value is UserError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.kind === "string" &&
    typeof v.message === "string" &&
    typeof v.fix === "string" &&
    (v.details === null || v.details === undefined || typeof v.details === "string")
  );
}

/** Anything the backend or Tauri rejects with becomes a UserError. */
export function toUserError(reason: unknown): UserError {
  if (isUserError(reason)) return { ...reason, details: reason.details ?? null, setting: reason.setting ?? null };
  const details = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : JSON.stringify(reason);
  return {
    kind: "Internal",
    message: "Something went wrong inside D365 Connect.",
    fix: "Try again. If it keeps happening, copy the details and send them to your IT contact.",
    details: details ?? null,
    setting: null,
  };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw new IpcError(toUserError(reason));
  }
}

export const appInfo = (): Promise<AppInfo> => call("app_info");
/** The About box: version, licences, proxy settings and the log's place. */
export const about = (): Promise<About> => call("about");
/** Writes a copy of the whole log where the save dialog said. */
export const saveLogCopy = (path: string): Promise<void> => call("save_log_copy", { path });

export const secretStoreStatus = (): Promise<SecretStoreStatus> => call("secret_store_status");

// Saved connections.
export const listProfiles = (): Promise<ProfileEntry[]> => call("list_profiles");
export const saveProfile = (profile: Profile, secret: string | null): Promise<void> =>
  call("save_profile", { profile, secret });
export const deleteProfile = (name: string): Promise<void> => call("delete_profile", { name });
export const renameProfile = (from: string, to: string): Promise<void> => call("rename_profile", { from, to });
export const duplicateProfile = (from: string, to: string): Promise<void> => call("duplicate_profile", { from, to });
/** How soon a saved secret expires, by the core's rule. */
export const secretExpiry = (credential: SecretCredential): Promise<SecretExpiry> => call("secret_expiry", { credential });

// Live checks of what the user types.
export const checkTenant = (raw: string): Promise<CheckedText> => call("check_tenant", { raw });
export const checkClientId = (raw: string): Promise<CheckedText> => call("check_client_id", { raw });
/** Only notices come back: the secret itself never returns from the backend. */
export const checkSecret = (raw: string): Promise<string[]> => call("check_secret", { raw });
export const readBcUrl = (raw: string): Promise<CheckedBcUrl> => call("read_bc_url", { raw });
export const checkEnvironmentUrl = (product: Product, cloud: Cloud, raw: string): Promise<CheckedText> =>
  call("check_environment_url", { product, cloud, raw });

// The guide and the permissions step.
export const registrationGuide = (
  product: Product,
  registration: Registration,
  cloud: Cloud,
  clientId: string | null,
): Promise<GuideStep[]> => call("registration_guide", { product, registration, cloud, clientId });
export const permissions = (product: Product, registration: Registration): Promise<Permission[]> =>
  call("permissions", { product, registration });

/** `large`: 100,000 customers and sales invoices, for trying real volume. */
export const startSandbox = (large: boolean): Promise<SandboxTenant> => call("start_sandbox", { large });
/** Opens a Microsoft page (the guide's links) in the system browser. */
export const openInBrowser = (url: string): Promise<void> => call("open_in_browser", { url });

// Data.
export const listEnvironments = (name: string): Promise<EnvironmentInfo[]> => call("list_environments", { name });
export const listCompanies = (name: string): Promise<Company[]> => call("list_companies", { name });
/** The listed company a pasted address names, by its name or ID. */
export const findCompany = (companies: Company[], wanted: string): Promise<Company | null> =>
  call("find_company", { companies, wanted });
export const listEntities = (name: string, search: string, refresh: boolean): Promise<EntitySummary[]> =>
  call("list_entities", { name, search, refresh });
export const entityColumns = (name: string, entity: string): Promise<Column[]> =>
  call("entity_columns", { name, entity });
export const openTable = (name: string, entity: string, query: TableQuery, pageSize: number): Promise<TablePage> =>
  call("open_table", { name, entity, query, pageSize });
export const moreRows = (handle: number): Promise<TablePage> => call("more_rows", { handle });
/** Loaded rows `start..end` of an open table, as the service sent them. */
export const tableRows = (handle: number, start: number, end: number): Promise<Record<string, unknown>[]> =>
  call("table_rows", { handle, start, end });
export const closeTable = (handle: number): Promise<void> => call("close_table", { handle });

/** Exports with progress; `cancelOperation(operation)` stops it. */
export function exportTable(
  name: string,
  entity: string,
  query: TableQuery,
  format: ExportFormat,
  path: string,
  operation: string,
  onProgress: (progress: ExportProgress) => void,
): Promise<ExportSummary> {
  const channel = new Channel<ExportProgress>();
  channel.onmessage = onProgress;
  return call("export_table", { name, entity, query, format, path, operation, onProgress: channel });
}
export const cancelOperation = (operation: string): Promise<void> => call("cancel_operation", { operation });

// Saving where the person chooses.
/** The platform's save dialog, in their Documents with a name that says what the file is; null when they cancel. */
export const chooseSavePath = (target: SaveTarget): Promise<string | null> => call("choose_save_path", { target });
/** Opens a file the app saved with the desktop's program for it. */
export const openSavedFile = (path: string): Promise<void> => call("open_saved_file", { path });
/** Shows a file the app saved in the file manager. */
export const showSavedFile = (path: string): Promise<void> => call("show_saved_file", { path });

// Signing in. Each call takes an operation id for `cancelOperation` and
// reports its stages (listening, browser opened, code received, done).
export function signIn(name: string, operation: string, onEvent: (event: SignInEvent) => void): Promise<TokenInfo> {
  const channel = new Channel<SignInEvent>();
  channel.onmessage = onEvent;
  return call("sign_in", { name, operation, onEvent: channel });
}
export function adminConsent(name: string, operation: string, onEvent: (event: SignInEvent) => void): Promise<ConsentGranted> {
  const channel = new Channel<SignInEvent>();
  channel.onmessage = onEvent;
  return call("admin_consent", { name, operation, onEvent: channel });
}

// Token panel, checks and report.
export const tokenInfo = (name: string): Promise<TokenInfo> => call("token_info", { name });
export function runChecks(name: string, onResult: (result: CheckResult) => void): Promise<Report> {
  const channel = new Channel<CheckResult>();
  channel.onmessage = onResult;
  return call("run_checks", { name, onResult: channel });
}
export const saveReport = (name: string, format: ReportFormat, path: string): Promise<Report> =>
  call("save_report", { name, format, path });
/** Checks every saved connection, a few at a time; each row as it finishes. Answers the fleet in one sentence. */
export const checkAll = (onRow: (row: FleetRow) => void): Promise<string> => call("check_all", { onRow: channel(onRow) });
/** Writes the last "Check all" report to `path`. */
export const saveFleetReport = (format: ReportFormat, path: string): Promise<void> => call("save_fleet_report", { format, path });

/** A channel that hands each message the backend sends to `onMessage`. */
function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}

// "Set it up for me": an administrator signs in once; the backend keeps
// that session for the steps below until `endSetup`.
export const setupDefaults = (product: Product, registration: Registration, cloud: Cloud): Promise<SetupDefaults> =>
  call("setup_defaults", { product, registration, cloud });
export const setupSignInInfo = (setupClientId: string, task: AdminTask): Promise<SetupSignInInfo> =>
  call("setup_sign_in_info", { setupClientId, task });
export const setupSignIn = (
  cloud: Cloud,
  tenant: string,
  setupClientId: string,
  operation: string,
  onEvent: (event: SignInEvent) => void,
): Promise<void> => call("setup_sign_in", { cloud, tenant, setupClientId, operation, onEvent: channel(onEvent) });
/** Registers the app and saves the connection (its secret to the keychain only). */
export const setupRegister = (request: SetupRequest, operation: string, onProgress: (event: SetupEvent) => void): Promise<SetupDone> =>
  call("setup_register", { request, operation, onProgress: channel(onProgress) });
export const endSetup = (): Promise<void> => call("end_setup");
export const setupBusinessCentralPage = (name: string, description: string): Promise<EntraApplicationsPage> =>
  call("setup_business_central_page", { name, description });
export const setupDataverseRoles = (name: string, operation: string, onEvent: (event: SignInEvent) => void): Promise<SecurityRole[]> =>
  call("setup_dataverse_roles", { name, operation, onEvent: channel(onEvent) });
/** Resolves to the saved connection, which notes the application user in `setup.product_side`. */
export const setupDataverseUser = (
  name: string,
  role: SecurityRole,
  operation: string,
  onEvent: (event: SignInEvent) => void,
): Promise<Profile> => call("setup_dataverse_user", { name, roleId: role.id, roleName: role.name, operation, onEvent: channel(onEvent) });
export const setupFnoOptions = (
  name: string,
  appName: string,
  operation: string,
  onEvent: (event: SignInEvent) => void,
): Promise<FnoProductSide> => call("setup_fno_options", { name, appName, operation, onEvent: channel(onEvent) });
/** Resolves to the saved connection, which notes the user the app acts as in `setup.product_side`. */
export const setupFnoApplication = (
  name: string,
  appName: string,
  userId: string,
  operation: string,
  onEvent: (event: SignInEvent) => void,
): Promise<Profile> => call("setup_fno_application", { name, appName, userId, operation, onEvent: channel(onEvent) });

/** An administrator signs in; a new secret is made, proven and kept in the keychain, then the old one removed. */
export const replaceSecret = (
  name: string,
  secretMonths: number,
  setupClientId: string,
  operation: string,
  onSignIn: (event: SignInEvent) => void,
  onProgress: (event: SetupEvent) => void,
): Promise<SecretReplaced> =>
  call("replace_secret", { name, secretMonths, setupClientId, operation, onSignIn: channel(onSignIn), onProgress: channel(onProgress) });

// When someone else is the administrator: the hand-off pack and its answer.
export const setupHandoff = (request: SetupRequest): Promise<HandoffPack> => call("setup_handoff", { request });
/** Resolves to the full path written. */
export const saveHandoffScript = (request: SetupRequest, path: string): Promise<string> =>
  call("save_handoff_script", { request, path });
/** Saves the connection `request` describes with the app (tenant, client ID, secret) from the administrator's file. */
export const importHandoff = (request: SetupRequest, path: string): Promise<Profile> => call("import_handoff", { request, path });
