// The only door to the backend: every Tauri command is called from here, with
// types generated from Rust (src/bindings, by ts-rs). Components never call
// invoke themselves, so error handling and typing live in one place.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { SecretStoreStatus } from "./bindings/SecretStoreStatus";
import type { UserError } from "./bindings/UserError";

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
  if (isUserError(reason)) return { ...reason, details: reason.details ?? null };
  const details = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : JSON.stringify(reason);
  return {
    kind: "Internal",
    message: "Something went wrong inside D365 Connect.",
    fix: "Try again. If it keeps happening, copy the details and send them to your IT contact.",
    details: details ?? null,
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

export const secretStoreStatus = (): Promise<SecretStoreStatus> => call("secret_store_status");
