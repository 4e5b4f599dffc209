import { STEPS } from "./steps";

interface Props {
  index: number;
  /** The step has a problem: Next shows it instead of moving on. */
  blocked: boolean;
  onBack: () => void;
  onNext: () => void;
  onFinish: () => void;
}

export function WizardFooter({ index, blocked, onBack, onNext, onFinish }: Props) {
  const last = index === STEPS.length - 1;
  return (
    <footer className="wizard-footer">
      <button type="button" className="button" data-testid="back" onClick={onBack} disabled={index === 0}>
        Back
      </button>
      <span className="step-counter">
        Step {index + 1} of {STEPS.length}
        <span className="shortcut-hint" aria-hidden="true">
          {" "}
          · Alt+← / Alt+→
        </span>
      </span>
      <button
        type="button"
        className="button primary"
        data-testid="next"
        // Still focusable and clickable: pressing it shows what is missing.
        aria-disabled={!last && blocked ? true : undefined}
        onClick={last ? onFinish : onNext}
      >
        {last ? "Finish" : "Next"}
      </button>
    </footer>
  );
}
