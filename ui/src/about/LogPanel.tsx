import { useState } from "react";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { SavedFile } from "../components/SavedFile";
import { problemOf } from "../connection/useCall";
import { chooseSavePath, saveLogCopy } from "../ipc";

interface Props {
  logFile: string | null;
  logProblem: UserError | null;
  /** Saving is under way: the dialog must not close under it. */
  onBusy: (busy: boolean) => void;
}

/** Where the log is, with Open and Show in folder, and "Save a copy…". */
export function LogPanel({ logFile, logProblem, onBusy }: Props) {
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<UserError | null>(null);

  // Cancelling the save dialog leaves everything as it was.
  const saveCopy = async () => {
    setSaving(true);
    onBusy(true);
    try {
      const path = await chooseSavePath({ kind: "Log" });
      if (path === null) return;
      setProblem(null);
      await saveLogCopy(path);
      setSaved(path);
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setSaving(false);
      onBusy(false);
    }
  };

  return (
    <>
      <p>
        D365 Connect writes down what it does: when it started, what you asked it to do, each request to Microsoft (where it went
        and how long it took, never what was sent or received) and the problems it met. Passwords, secrets, sign-in codes, tokens
        and your data never go in it, so you can attach it to a support request.
      </p>
      {logFile ? (
        <SavedFile path={logFile} testId="log-file" openLabel="Open the log">
          The log is
        </SavedFile>
      ) : (
        logProblem && <ErrorPanel problem={logProblem} />
      )}
      {logFile && (
        <div className="about-actions">
          <button type="button" className="button" data-testid="save-log-copy" disabled={saving} onClick={() => void saveCopy()}>
            Save a copy…
          </button>
        </div>
      )}
      {saved && (
        <SavedFile path={saved} testId="log-copy-saved">
          Saved a copy of the log to
        </SavedFile>
      )}
      {problem && <ErrorPanel problem={problem} />}
    </>
  );
}
