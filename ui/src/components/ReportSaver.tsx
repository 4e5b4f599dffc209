import { useState } from "react";
import type { ReportFormat } from "../bindings/ReportFormat";
import type { SaveTarget } from "../bindings/SaveTarget";
import type { UserError } from "../bindings/UserError";
import { problemOf } from "../connection/useCall";
import { chooseSavePath } from "../ipc";
import { ErrorPanel } from "./ErrorPanel";
import { SavedFile } from "./SavedFile";

interface Props {
  /** What the save dialog is asked to save in the chosen format. */
  target: (format: ReportFormat) => SaveTarget;
  /** Writes the report to the path the dialog gave. */
  write: (format: ReportFormat, path: string) => Promise<unknown>;
}

/**
 * A report's format and "Save report…": the platform's save dialog, then
 * the file with Open and Show in folder. Cancelling the dialog changes
 * nothing; a problem writing is shown here, where it was asked for.
 */
export function ReportSaver({ target, write }: Props) {
  const [format, setFormat] = useState<ReportFormat>("Html");
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<UserError | null>(null);
  // The save dialog is open: a second one must not be asked for.
  const [choosing, setChoosing] = useState(false);

  const save = async () => {
    setChoosing(true);
    try {
      const path = await chooseSavePath(target(format));
      if (path === null) return;
      setSaved(null);
      setProblem(null);
      await write(format, path);
      setSaved(path);
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setChoosing(false);
    }
  };

  return (
    <>
      <div className="row">
        <label>
          Format{" "}
          <select value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)} data-testid="report-format">
            <option value="Html">Web page (HTML, printable)</option>
            <option value="Markdown">Markdown</option>
            <option value="Json">JSON</option>
          </select>
        </label>
        <button type="button" className="button" onClick={() => void save()} disabled={choosing} data-testid="save-report">
          Save report…
        </button>
      </div>
      {problem && <ErrorPanel problem={problem} />}
      {saved && (
        <SavedFile path={saved} testId="report-saved">
          Saved to
        </SavedFile>
      )}
    </>
  );
}
