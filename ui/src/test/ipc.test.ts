import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { IpcError, secretStoreStatus } from "../ipc";

describe("ipc", () => {
  it("returns the backend's typed value", async () => {
    mockIPC((cmd) =>
      cmd === "secret_store_status"
        ? { backend: "SecretService", persistent: true, label: "Secret Service", advice: null }
        : undefined,
    );
    await expect(secretStoreStatus()).resolves.toEqual({
      backend: "SecretService",
      persistent: true,
      label: "Secret Service",
      advice: null,
    });
  });

  it("keeps a backend UserError as it is", async () => {
    const problem = { kind: "SecretStoreFailure", message: "Refused.", fix: "Unlock it.", details: "dbus: denied", setting: null };
    mockIPC(() => {
      throw problem;
    });
    const err = await secretStoreStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect((err as IpcError).problem).toEqual(problem);
  });

  it("wraps a bare-string rejection as an Internal problem with the text in details", async () => {
    mockIPC(() => {
      throw "command secret_store_status not found";
    });
    const err = (await secretStoreStatus().catch((e: unknown) => e)) as IpcError;
    expect(err.problem.kind).toBe("Internal");
    expect(err.problem.message).toMatch(/went wrong/);
    expect(err.problem.fix).toMatch(/Try again/);
    expect(err.problem.details).toBe("command secret_store_status not found");
  });

  it("does not trust an object that lacks the problem shape", async () => {
    mockIPC(() => {
      throw { kind: "SecretNotFound", message: "m" };
    });
    const err = (await secretStoreStatus().catch((e: unknown) => e)) as IpcError;
    expect(err.problem.kind).toBe("Internal");
    expect(err.problem.details).toContain("SecretNotFound");
  });
});
