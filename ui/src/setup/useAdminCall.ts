// One product-side call made as the administrator: its state, and the
// browser sign-in it may need first (when Microsoft wants the person back
// for that product), stopped if the component goes away.
import { useCallback, useEffect, useRef, useState } from "react";
import type { SignInEvent } from "../bindings/SignInEvent";
import { problemOf, type CallState } from "../connection/useCall";
import { cancelOperation } from "../ipc";

type Work<T> = (operation: string, onEvent: (event: SignInEvent) => void) => Promise<T>;

let calls = 0;

export function useAdminCall<T>() {
  const [state, setState] = useState<CallState<T>>({ status: "idle" });
  const [events, setEvents] = useState<SignInEvent[]>([]);
  const operation = useRef<string | null>(null);

  const run = useCallback(async (work: Work<T>): Promise<T | undefined> => {
    const id = `setup-${Date.now()}-${++calls}`;
    operation.current = id;
    setEvents([]);
    setState({ status: "running" });
    try {
      const value = await work(id, (event) => setEvents((all) => [...all, event]));
      setState({ status: "done", value });
      return value;
    } catch (e) {
      setState({ status: "failed", problem: problemOf(e) });
      return undefined;
    } finally {
      if (operation.current === id) operation.current = null;
    }
  }, []);

  const cancel = useCallback(() => {
    if (operation.current) void cancelOperation(operation.current);
  }, []);

  useEffect(() => cancel, [cancel]);

  return { state, events, run, cancel };
}
