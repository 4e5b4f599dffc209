// Whether each step is complete, and what keeps it from being so. The step
// list ticks complete steps only; Next, while the step has a problem, goes
// to the control where it is fixed instead of on.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { StepId } from "./steps";

export interface Blocker {
  /** What is missing, in words an admin acts on. */
  message: string;
  /** A CSS selector of the control where it is fixed; focus goes there. */
  target: string;
}

export interface StepStatus {
  complete: boolean;
  blocker: Blocker | null;
}

interface Progress {
  statuses: Partial<Record<StepId, StepStatus>>;
  report: (id: StepId, status: StepStatus) => void;
  /** The step whose blocker Next has just shown, until it is fixed. */
  shown: StepId | null;
  show: (id: StepId | null) => void;
  /** Forgets every step's status: a new connection starts afresh. */
  reset: () => void;
}

const ProgressContext = createContext<Progress | null>(null);

const same = (a: StepStatus | undefined, b: StepStatus) =>
  a?.complete === b.complete && a?.blocker?.message === b.blocker?.message && a?.blocker?.target === b.blocker?.target;

export function ProgressProvider({ children }: { children: ReactNode }) {
  const [statuses, setStatuses] = useState<Partial<Record<StepId, StepStatus>>>({});
  const [shown, show] = useState<StepId | null>(null);
  const report = useCallback((id: StepId, status: StepStatus) => {
    setStatuses((prev) => (same(prev[id], status) ? prev : { ...prev, [id]: status }));
    // Once fixed, the message goes away on its own.
    if (status.blocker === null) show((current) => (current === id ? null : current));
  }, []);
  const reset = useCallback(() => {
    setStatuses({});
    show(null);
  }, []);
  const value = useMemo(() => ({ statuses, report, shown, show, reset }), [statuses, report, shown, reset]);
  return <ProgressContext.Provider value={value}>{children}</ProgressContext.Provider>;
}

export function useProgress(): Progress {
  const progress = useContext(ProgressContext);
  if (!progress) throw new Error("useProgress outside ProgressProvider");
  return progress;
}

/** Tells the wizard how a mounted step stands. Steps that never call it are
 *  complete once visited: their defaults are valid choices. */
export function useStepStatus(id: StepId, complete: boolean, blocker: Blocker | null) {
  const report = useContext(ProgressContext)?.report;
  const message = blocker?.message ?? null;
  const target = blocker?.target ?? null;
  useEffect(() => {
    report?.(id, { complete, blocker: message !== null && target !== null ? { message, target } : null });
  }, [report, id, complete, message, target]);
}

/** The blocker Next showed on step `id`, until it is fixed. */
export function useShownBlocker(id: StepId): Blocker | null {
  const progress = useContext(ProgressContext);
  return progress?.shown === id ? (progress.statuses[id]?.blocker ?? null) : null;
}

/** The blocker's message, under the control it is about, once Next showed it. */
export function BlockerNote({ step, target }: { step: StepId; target: string }) {
  const blocker = useShownBlocker(step);
  if (blocker?.target !== target) return null;
  return (
    <p className="field-problem" role="alert" data-testid="step-blocker">
      {blocker.message}
    </p>
  );
}
