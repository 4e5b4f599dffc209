// Which columns the table asks for ($select). Choices are a draft until
// "Show": every change of columns reopens the table on the server.
import { useEffect, useId, useRef, useState } from "react";
import type { Column } from "../bindings/Column";
import { defaultSelection } from "./columns";

interface Props {
  /** Every column of the entity, in the service's order. */
  columns: readonly Column[];
  selected: readonly string[];
  onApply: (select: string[]) => void;
}

export function ColumnChooser({ columns, selected, onApply }: Props) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<ReadonlySet<string>>(new Set());
  const [find, setFind] = useState("");
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  const show = () => {
    setDraft(new Set(selected));
    setFind("");
    setOpen(true);
  };
  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  // A click elsewhere dismisses the draft, as a menu would.
  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) close(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const toggle = (name: string) =>
    setDraft((d) => {
      const next = new Set(d);
      if (!next.delete(name)) next.add(name);
      return next;
    });

  const needle = find.trim().toLowerCase();
  const shown = needle
    ? columns.filter((c) => c.name.toLowerCase().includes(needle) || c.label.toLowerCase().includes(needle))
    : columns;

  return (
    <div className="popover-anchor">
      <button
        ref={button}
        type="button"
        className="button small"
        data-testid="columns-button"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => (open ? close() : show())}
      >
        Columns ({selected.length} of {columns.length})
      </button>
      {open && (
        <div
          ref={panel}
          id={`${id}-panel`}
          className="popover column-chooser"
          role="dialog"
          aria-label="Choose columns"
          data-testid="column-chooser"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              close();
            }
          }}
        >
          <label className="field-label" htmlFor={`${id}-find`}>
            Find a column
          </label>
          <input
            id={`${id}-find`}
            className="input"
            type="search"
            autoFocus
            autoComplete="off"
            value={find}
            onChange={(e) => setFind(e.target.value)}
          />
          <div className="chooser-shortcuts">
            <button type="button" className="link-button" onClick={() => setDraft(new Set(defaultSelection(columns)))}>
              Suggested
            </button>
            <button type="button" className="link-button" onClick={() => setDraft(new Set(columns.map((c) => c.name)))}>
              All {columns.length}
            </button>
            <button type="button" className="link-button" onClick={() => setDraft(new Set())}>
              None
            </button>
          </div>
          <ul className="chooser-list" aria-label="Columns">
            {shown.map((c) => (
              <li key={c.name}>
                <label className="chooser-option">
                  <input
                    type="checkbox"
                    checked={draft.has(c.name)}
                    onChange={() => toggle(c.name)}
                    data-testid={`column-option-${c.name}`}
                  />
                  <span className="chooser-text">
                    <span>{c.label}</span>
                    <span className="mono muted">{c.name}</span>
                  </span>
                  {c.key && <span className="badge">Key</span>}
                </label>
              </li>
            ))}
            {shown.length === 0 && <li className="muted">No column matches “{find.trim()}”.</li>}
          </ul>
          <p className="chooser-count muted" aria-live="polite">
            {draft.size === 0 ? "Choose at least one column." : `${draft.size} of ${columns.length} chosen`}
          </p>
          <div className="popover-actions">
            <button type="button" className="button small" onClick={() => close()}>
              Cancel
            </button>
            <button
              type="button"
              className="button small primary"
              data-testid="columns-apply"
              disabled={draft.size === 0}
              onClick={() => {
                onApply(columns.filter((c) => draft.has(c.name)).map((c) => c.name));
                close();
              }}
            >
              Show columns
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
