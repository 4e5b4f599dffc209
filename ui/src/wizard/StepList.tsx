import { useRef, type KeyboardEvent } from "react";
import { STEPS, type StepId } from "./steps";

interface Props {
  current: number;
  visited: ReadonlySet<StepId>;
  /** Whether a visited step is complete, not merely visited. */
  complete: (id: StepId) => boolean;
  onSelect: (index: number) => void;
  /** Numbers and ticks only: each name is its button's tooltip and still read out. */
  compact: boolean;
}

const STATE_WORDS: Record<string, string> = { done: " (complete)", incomplete: " (not complete yet)" };

/**
 * The numbered step list. One tab stop (roving tabindex): arrows, Home and
 * End move focus within the list; Enter or Space opens the focused step.
 */
export function StepList({ current, visited, complete, onSelect, compact }: Props) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const focusAt = (i: number) => buttons.current[(i + STEPS.length) % STEPS.length]?.focus();

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const moves: Record<string, number> = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: STEPS.length - 1 };
    if (e.key in moves && !e.altKey) {
      e.preventDefault();
      focusAt(moves[e.key]);
    }
  };

  return (
    <nav className="step-list" aria-label="Setup steps">
      <ol>
        {STEPS.map((step, i) => {
          const state = i === current ? "current" : !visited.has(step.id) ? "upcoming" : complete(step.id) ? "done" : "incomplete";
          return (
            <li key={step.id}>
              <button
                ref={(el) => {
                  buttons.current[i] = el;
                }}
                type="button"
                data-step={step.id}
                data-state={state}
                aria-current={i === current ? "step" : undefined}
                tabIndex={i === current ? 0 : -1}
                title={compact ? step.title : undefined}
                onClick={() => onSelect(i)}
                onKeyDown={(e) => onKeyDown(e, i)}
              >
                <span className="step-marker" aria-hidden="true">
                  {state === "done" ? "✓" : i + 1}
                </span>
                <span className={compact ? "visually-hidden" : "step-name"}>{step.title}</span>
                {state in STATE_WORDS && <span className="visually-hidden">{STATE_WORDS[state]}</span>}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
