// The wizard's steps, in order. Ids are stable: tests and saved state use them.
import type { Setting } from "../bindings/Setting";

export type StepId =
  | "product"
  | "register"
  | "credentials"
  | "permissions"
  | "connect"
  | "environment"
  | "browse"
  | "check";

export interface Step {
  id: StepId;
  title: string;
  /** One line under the title: what this step is for. */
  summary: string;
}

export const STEPS: readonly Step[] = [
  { id: "product", title: "Product", summary: "Choose the Dynamics 365 product and the Microsoft cloud you connect to." },
  { id: "register", title: "Register app", summary: "Register an app in Microsoft Entra ID, step by step." },
  { id: "credentials", title: "Credentials", summary: "Enter the tenant, the client ID and, if needed, the client secret." },
  { id: "permissions", title: "Permissions", summary: "Pick what the connection may do, in plain words." },
  { id: "connect", title: "Connect", summary: "Sign in through your browser, or connect as a background service." },
  { id: "environment", title: "Environment & company", summary: "Choose the environment and the company to work with." },
  { id: "browse", title: "Browse", summary: "Look at your data in a table to prove the connection works." },
  { id: "check", title: "Check", summary: "Run every check and save a report to hand on." },
];

/** The step where each connection setting is changed: the core's advice
 * names the setting, the app names the place. */
const STEP_OF_SETTING: Record<Setting, StepId> = {
  Cloud: "product",
  Tenant: "credentials",
  Secret: "credentials",
  SecretExpiry: "credentials",
  Permissions: "permissions",
  Environment: "environment",
  Company: "environment",
  LongTimeout: "credentials",
};

/** "the Environment & company step", for a fix that names a setting. */
export const whereToChange = (setting: Setting): string =>
  `the ${STEPS.find((s) => s.id === STEP_OF_SETTING[setting])?.title ?? ""} step`;
