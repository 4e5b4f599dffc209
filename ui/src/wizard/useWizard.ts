import { useCallback, useEffect, useRef, useState } from "react";
import { STEPS, type StepId } from "./steps";

export interface Wizard {
  index: number;
  visited: ReadonlySet<StepId>;
  goTo: (index: number) => void;
  next: () => void;
  back: () => void;
  /** Starts over at a step, forgetting which were visited. */
  reset: (index: number) => void;
}

/** Where the user is in the wizard, plus the Alt+→ / Alt+← shortcuts.
 *  `mayLeave(index)` decides whether Next (or Alt+→) may leave a step. */
export function useWizard(mayLeave: (index: number) => boolean = () => true): Wizard {
  const [index, setIndex] = useState(0);
  const gate = useRef(mayLeave);
  useEffect(() => {
    gate.current = mayLeave;
  });
  const [visited, setVisited] = useState<ReadonlySet<StepId>>(() => new Set([STEPS[0].id]));

  const goTo = useCallback((target: number) => {
    const clamped = Math.max(0, Math.min(STEPS.length - 1, target));
    setIndex(clamped);
    setVisited((prev) => (prev.has(STEPS[clamped].id) ? prev : new Set(prev).add(STEPS[clamped].id)));
  }, []);
  const next = useCallback(() => {
    if (gate.current(index)) goTo(index + 1);
  }, [goTo, index]);
  const back = useCallback(() => goTo(index - 1), [goTo, index]);
  const reset = useCallback((target: number) => {
    setIndex(target);
    setVisited(new Set(STEPS.slice(0, target + 1).map((s) => s.id)));
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      if (e.key === "ArrowRight") {
        e.preventDefault();
        next();
      } else if (e.key === "ArrowLeft") {
        e.preventDefault();
        back();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [next, back]);

  return { index, visited, goTo, next, back, reset };
}
