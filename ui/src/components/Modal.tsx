import { useRef, type KeyboardEvent, type ReactNode } from "react";

interface Props {
  /** The id of the dialog's title. */
  labelledBy: string;
  /** The id of the text that says what the dialog is for. */
  describedBy?: string;
  className?: string;
  testId: string;
  /** Escape asks for this, unless the dialog is busy. */
  onClose: () => void;
  /** Work is running that closing would abandon: Escape does nothing. */
  busy?: boolean;
  children: ReactNode;
}

/**
 * A modal dialog over the window: Tab and Shift+Tab stay inside it, and
 * Escape closes it. Whoever opens it puts the focus inside (autoFocus) and
 * back where it was when it closes.
 */
export function Modal({ labelledBy, describedBy, className, testId, onClose, busy = false, children }: Props) {
  const dialog = useRef<HTMLDivElement>(null);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      if (!busy) onClose();
      return;
    }
    if (e.key !== "Tab" || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>("button, input, select, textarea, [tabindex]")].filter(
      (el) => !el.hasAttribute("disabled") && el.tabIndex >= 0 && !el.closest("[hidden]"),
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      last?.focus();
      e.preventDefault();
    } else if (!e.shiftKey && document.activeElement === last) {
      first?.focus();
      e.preventDefault();
    }
  };

  return (
    <div className="modal-backdrop">
      <div
        ref={dialog}
        className={className ? `modal ${className}` : "modal"}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        data-testid={testId}
        onKeyDown={onKeyDown}
      >
        {children}
      </div>
    </div>
  );
}
