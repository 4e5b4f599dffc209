// One backend call's life in a component: idle, running, done or failed,
// with failures always in the { kind, message, fix, details } shape.
import { useCallback, useRef, useState } from "react";
import type { UserError } from "../bindings/UserError";
import { IpcError, toUserError } from "../ipc";

export type CallState<T> =
  | { status: "idle" }
  | { status: "running" }
  | { status: "done"; value: T }
  | { status: "failed"; problem: UserError };

export const problemOf = (e: unknown): UserError => (e instanceof IpcError ? e.problem : toUserError(e));

export function useCall<T, A extends unknown[]>(fn: (...args: A) => Promise<T>) {
  const [state, setState] = useState<CallState<T>>({ status: "idle" });
  // Only the latest call may set the state: an older, slower answer must
  // not overwrite a newer one (typing fast in a checked field).
  const latest = useRef(0);
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      const id = ++latest.current;
      setState({ status: "running" });
      try {
        const value = await fn(...args);
        if (id === latest.current) setState({ status: "done", value });
        return value;
      } catch (e) {
        if (id === latest.current) setState({ status: "failed", problem: problemOf(e) });
        return undefined;
      }
    },
    [fn],
  );
  const reset = useCallback(() => {
    latest.current++;
    setState({ status: "idle" });
  }, []);
  return { state, run, reset };
}
