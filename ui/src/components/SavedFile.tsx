import { useId, useState, type ReactNode } from "react";
import type { UserError } from "../bindings/UserError";
import { problemOf } from "../connection/useCall";
import { openSavedFile, showSavedFile } from "../ipc";
import { ErrorPanel } from "./ErrorPanel";

interface Props {
  /** Where the file was written, as the save dialog gave it. */
  path: string;
  /** What was saved, read before the path ("Saved to", "Exported 3 rows to"). */
  children: ReactNode;
  testId: string;
  /** The Open button's label, when "Open" alone would not say what. */
  openLabel?: string;
}

/**
 * The line after a save: what was written where, and "Open" and "Show in
 * folder", so nobody has to go looking for the file. Both buttons are
 * described by the path, which screen readers read after their label.
 */
export function SavedFile({ path, children, testId, openLabel = "Open" }: Props) {
  const id = useId();
  const [problem, setProblem] = useState<UserError | null>(null);

  const act = (action: (path: string) => Promise<void>) => async () => {
    setProblem(null);
    try {
      await action(path);
    } catch (e) {
      setProblem(problemOf(e));
    }
  };

  return (
    <div className="saved-file" data-testid={testId}>
      <p role="status">
        {children}{" "}
        <code id={`${id}-path`} data-testid="saved-path">
          {path}
        </code>
        .
      </p>
      <div className="saved-file-actions">
        <button type="button" className="button small" aria-describedby={`${id}-path`} data-testid="open-saved-file" onClick={() => void act(openSavedFile)()}>
          {openLabel}
        </button>
        <button type="button" className="button small" aria-describedby={`${id}-path`} data-testid="show-saved-file" onClick={() => void act(showSavedFile)()}>
          Show in folder
        </button>
      </div>
      {problem && <ErrorPanel problem={problem} />}
    </div>
  );
}
