// Export every row matching the table's columns, filter and sort to a file,
// with live progress and Cancel. The backend writes to a temporary file and
// renames it at the end, so a cancelled export leaves nothing behind.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { EntitySummary } from "../bindings/EntitySummary";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportSummary } from "../bindings/ExportSummary";
import type { TableQuery } from "../bindings/TableQuery";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { problemOf } from "../connection/useCall";
import { cancelOperation, exportTable } from "../ipc";
import { formatCount } from "./count";

interface Props {
  connection: string;
  entity: EntitySummary;
  query: TableQuery;
  /** Rows the server counted for this query, when it said. */
  total: number | null;
  onClose: () => void;
}

type Phase =
  | { step: "form" }
  | { step: "running"; cancelling: boolean }
  | { step: "done"; summary: ExportSummary }
  | { step: "cancelled" }
  | { step: "failed"; problem: UserError };

const FORMATS: { id: ExportFormat; label: string; extension: string; help: string }[] = [
  { id: "Csv", label: "CSV", extension: ".csv", help: "Opens in Excel and most tools." },
  { id: "JsonLines", label: "JSON Lines", extension: ".jsonl", help: "One JSON object per line, for scripts." },
];

let operations = 0;
/** Unique within the app's life, which is as long as an operation lives. */
const newOperationId = () => `export-${Date.now()}-${++operations}`;

const plural = (count: number, one: string, many: string) => `${formatCount(count)} ${count === 1 ? one : many}`;

export function ExportDialog({ connection, entity, query, total, onClose }: Props) {
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>("Csv");
  const [path, setPath] = useState(`~/Downloads/${entity.name}.csv`);
  const [phase, setPhase] = useState<Phase>({ step: "form" });
  const [progress, setProgress] = useState({ rows: 0, pages: 0 });
  const [waiting, setWaiting] = useState<{ seconds: number; throttled: boolean } | null>(null);
  const operation = useRef<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const running = phase.step === "running";

  // Closing mid-export stops it: nobody would see how it ended.
  useEffect(
    () => () => {
      if (operation.current) void cancelOperation(operation.current).catch(() => undefined);
    },
    [],
  );

  const pickFormat = (next: ExportFormat) => {
    const from = FORMATS.find((f) => f.id === format)!.extension;
    const to = FORMATS.find((f) => f.id === next)!.extension;
    setPath((p) => (p.endsWith(from) ? p.slice(0, -from.length) + to : p));
    setFormat(next);
  };

  const start = () => {
    const op = newOperationId();
    operation.current = op;
    setPhase({ step: "running", cancelling: false });
    setProgress({ rows: 0, pages: 0 });
    setWaiting(null);
    exportTable(connection, entity.name, query, format, path.trim(), op, (event) => {
      if (event.event === "Page") {
        setProgress({ rows: event.rows, pages: event.pages });
        setWaiting(null);
      } else {
        setWaiting({ seconds: Math.ceil(event.millis / 1000), throttled: event.throttled });
      }
    }).then(
      (summary) => {
        operation.current = null;
        setPhase({ step: "done", summary });
      },
      (e) => {
        operation.current = null;
        const problem = problemOf(e);
        setPhase(problem.kind === "Cancelled" ? { step: "cancelled" } : { step: "failed", problem });
      },
    );
  };

  const cancel = () => {
    if (!operation.current) return;
    setPhase({ step: "running", cancelling: true });
    void cancelOperation(operation.current).catch(() => undefined);
  };

  // A modal keeps Tab inside itself; Escape closes it unless it is working.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      if (!running) onClose();
      return;
    }
    if (e.key !== "Tab" || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>("button, input, select, textarea, [tabindex]")].filter(
      (el) => !el.hasAttribute("disabled") && el.tabIndex >= 0,
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
        className="modal export-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-about`}
        data-testid="export-dialog"
        onKeyDown={onKeyDown}
      >
        <h2 id={`${id}-title`}>Export {entity.label}</h2>
        <p id={`${id}-about`} className="muted">
          Every row that matches the table's columns, filter and sort is written, not only the rows loaded on screen.
        </p>
        <fieldset className="export-formats" disabled={running}>
          <legend className="field-label">Format</legend>
          {FORMATS.map((f) => (
            <label key={f.id} className="radio">
              <input
                type="radio"
                name={`${id}-format`}
                value={f.id}
                checked={format === f.id}
                onChange={() => pickFormat(f.id)}
                data-testid={`export-format-${f.id}`}
              />
              <span>
                {f.label} <span className="muted">— {f.help}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label className="field-label" htmlFor={`${id}-path`}>
          Save to
        </label>
        <input
          id={`${id}-path`}
          className="input mono"
          data-testid="export-path"
          autoFocus
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${id}-path-help`}
          disabled={running}
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <p id={`${id}-path-help`} className="help">
          The full path of the file to write. An existing file there is replaced.
        </p>

        {phase.step !== "form" && (
          <div className="export-progress" data-testid="export-progress" aria-live="polite">
            {running && (
              <progress
                className="progress"
                aria-label="Export progress"
                max={total ?? undefined}
                value={total ? Math.min(progress.rows, total) : undefined}
              />
            )}
            <p>
              {total !== null && running ? `${formatCount(progress.rows)} of about ${plural(total, "row", "rows")}` : plural(progress.rows, "row", "rows")}{" "}
              written · {plural(progress.pages, "page", "pages")}
            </p>
            {running && waiting && (
              <p className="notice warn" data-testid="export-waiting">
                {waiting.throttled
                  ? `Microsoft asked us to wait ${waiting.seconds} s before the next page.`
                  : `The service did not answer; trying again in ${waiting.seconds} s.`}
              </p>
            )}
            {running && phase.cancelling && <p>Cancelling…</p>}
          </div>
        )}
        {phase.step === "done" && (
          <p className="export-result ok" role="status" data-testid="export-result">
            Exported {plural(phase.summary.rows, "row", "rows")} in {plural(phase.summary.pages, "page", "pages")} to{" "}
            <span className="mono">{phase.summary.path}</span>.
          </p>
        )}
        {phase.step === "cancelled" && (
          <p className="export-result" role="status" data-testid="export-result">
            Export cancelled. No file was written.
          </p>
        )}
        {phase.step === "failed" && <ErrorPanel problem={phase.problem} />}

        <div className="modal-actions">
          {running ? (
            <button type="button" className="button" data-testid="export-cancel" autoFocus disabled={phase.cancelling} onClick={cancel}>
              Cancel export
            </button>
          ) : (
            <>
              {/* Focus lands here when an export ends, since Cancel goes away. */}
              <button type="button" className="button" data-testid="export-close" autoFocus={phase.step !== "form"} onClick={onClose}>
                Close
              </button>
              <button type="button" className="button primary" data-testid="export-start" disabled={path.trim() === ""} onClick={start}>
                {phase.step === "failed" ? "Try again" : phase.step === "form" ? "Export" : "Export again"}
              </button>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
