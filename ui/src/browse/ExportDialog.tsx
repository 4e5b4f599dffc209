// Export every row matching the table's columns, filter and sort to a file
// chosen in the platform's save dialog, with live progress and Cancel. The
// backend writes to a temporary file and renames it at the end, so a
// cancelled export leaves nothing behind.
import { useEffect, useId, useRef, useState } from "react";
import type { EntitySummary } from "../bindings/EntitySummary";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportSummary } from "../bindings/ExportSummary";
import type { TableQuery } from "../bindings/TableQuery";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { Modal } from "../components/Modal";
import { SavedFile } from "../components/SavedFile";
import { problemOf } from "../connection/useCall";
import { cancelOperation, chooseSavePath, exportTable } from "../ipc";
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

const FORMATS: { id: ExportFormat; label: string; help: string }[] = [
  { id: "Csv", label: "CSV", help: "Opens in Excel and most tools." },
  { id: "JsonLines", label: "JSON Lines", help: "One JSON object per line, for scripts." },
];

let operations = 0;
/** Unique within the app's life, which is as long as an operation lives. */
const newOperationId = () => `export-${Date.now()}-${++operations}`;

const plural = (count: number, one: string, many: string) => `${formatCount(count)} ${count === 1 ? one : many}`;

export function ExportDialog({ connection, entity, query, total, onClose }: Props) {
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>("Csv");
  const [phase, setPhase] = useState<Phase>({ step: "form" });
  // The save dialog is open: a second one must not be asked for.
  const [choosing, setChoosing] = useState(false);
  const [progress, setProgress] = useState({ rows: 0, pages: 0 });
  const [waiting, setWaiting] = useState<{ seconds: number; throttled: boolean } | null>(null);
  const operation = useRef<string | null>(null);
  const running = phase.step === "running";

  // Closing mid-export stops it: nobody would see how it ended.
  useEffect(
    () => () => {
      if (operation.current) void cancelOperation(operation.current).catch(() => undefined);
    },
    [],
  );

  // Cancelling the dialog leaves the dialog as it was, result included.
  const choose = async () => {
    setChoosing(true);
    try {
      const path = await chooseSavePath({ kind: "Export", connection, entity: entity.name, format });
      if (path !== null) start(path);
    } catch (e) {
      setPhase({ step: "failed", problem: problemOf(e) });
    } finally {
      setChoosing(false);
    }
  };

  const start = (path: string) => {
    const op = newOperationId();
    operation.current = op;
    setPhase({ step: "running", cancelling: false });
    setProgress({ rows: 0, pages: 0 });
    setWaiting(null);
    exportTable(connection, entity.name, query, format, path, op, (event) => {
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

  return (
    <Modal labelledBy={`${id}-title`} describedBy={`${id}-about`} className="export-dialog" testId="export-dialog" onClose={onClose} busy={running}>
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
              onChange={() => setFormat(f.id)}
              data-testid={`export-format-${f.id}`}
            />
            <span>
              {f.label} <span className="muted">— {f.help}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <p id={`${id}-where`} className="help">
        Next, you choose the folder and the file name.
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
        <SavedFile path={phase.summary.path} testId="export-result">
          Exported {plural(phase.summary.rows, "row", "rows")} in {plural(phase.summary.pages, "page", "pages")} to
        </SavedFile>
      )}
      {phase.step === "cancelled" && (
        <p className="export-result" role="status" data-testid="export-result">
          Export cancelled. No file was written.
        </p>
      )}
      {phase.step === "failed" && <ErrorPanel problem={phase.problem} />}

      {/* Keyed by the phase so the buttons mount afresh and autoFocus
          applies, however quickly the phases follow each other. */}
      <div className="modal-actions" key={phase.step}>
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
            <button
              type="button"
              className="button primary"
              data-testid="export-start"
              autoFocus={phase.step === "form"}
              aria-describedby={`${id}-where`}
              disabled={choosing}
              onClick={() => void choose()}
            >
              {phase.step === "failed" ? "Try again…" : phase.step === "form" ? "Export…" : "Export again…"}
            </button>
          </>
        )}
      </div>
    </Modal>
  );
}
