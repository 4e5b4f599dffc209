import { useEffect, useState } from "react";
import type { Profile } from "../bindings/Profile";
import type { ProfileEntry } from "../bindings/ProfileEntry";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { ReportSaver } from "../components/ReportSaver";
import { needsSecret, productName } from "../connection/draft";
import { problemOf, useCall } from "../connection/useCall";
import { checkAll, deleteProfile, duplicateProfile, listProfiles, renameProfile, runChecks, saveFleetReport } from "../ipc";
import { ReplaceSecret } from "../setup/ReplaceSecret";
import { LastCheckLine, type CheckState } from "./LastCheckLine";
import { SecretExpiryNote } from "./SecretExpiryNote";

interface Props {
  onNew: () => void;
  onOpen: (entry: ProfileEntry) => void;
  onSandbox: (large: boolean) => Promise<void>;
}

type Editing = { name: string; action: "rename" | "duplicate"; value: string } | { name: string; action: "delete" } | null;

/** Where every visit starts: a new connection, a saved one, or the sandbox. */
export function StartPage({ onNew, onOpen, onSandbox }: Props) {
  const profiles = useCall(listProfiles);
  const { run: reload } = profiles;
  const [editing, setEditing] = useState<Editing>(null);
  const [problem, setProblem] = useState<UserError | null>(null);
  const [starting, setStarting] = useState(false);
  const [large, setLarge] = useState(false);
  // Outside the list, so reloading the list after the replacement keeps it on screen.
  const [replacing, setReplacing] = useState<Profile | null>(null);
  // Checks running or just refused, over what the saved last checks say.
  const [checking, setChecking] = useState<Record<string, CheckState>>({});
  const [fleet, setFleet] = useState<{ running: boolean; summary: string | null }>({ running: false, summary: null });

  useEffect(() => {
    void reload();
  }, [reload]);

  const act = async (fn: () => Promise<void>) => {
    setProblem(null);
    try {
      await fn();
      setEditing(null);
      await reload();
    } catch (e) {
      setProblem(problemOf(e));
    }
  };

  const sandbox = async () => {
    setStarting(true);
    setProblem(null);
    try {
      await onSandbox(large);
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setStarting(false);
    }
  };

  const entries = profiles.state.status === "done" ? profiles.state.value : [];
  const checkState = (entry: ProfileEntry): CheckState => checking[entry.name] ?? { at: "idle", last: entry.last_check };
  const settle = (name: string, state: CheckState | null) =>
    setChecking((all) => {
      const rest = { ...all };
      delete rest[name];
      return state ? { ...rest, [name]: state } : rest;
    });

  const checkOne = async (name: string) => {
    settle(name, { at: "checking" });
    try {
      await runChecks(name, () => {});
      settle(name, null);
    } catch (e) {
      settle(name, { at: "could-not-run", problem: problemOf(e) });
    }
    await reload();
  };

  const checkEvery = async () => {
    setFleet({ running: true, summary: null });
    setChecking(Object.fromEntries(entries.filter((e) => e.profile).map((e) => [e.name, { at: "checking" } as CheckState])));
    try {
      const summary = await checkAll((row) =>
        settle(row.name, row.problem ? { at: "could-not-run", problem: row.problem } : { at: "idle", last: row.last_check }),
      );
      setFleet({ running: false, summary });
    } catch (e) {
      setChecking({});
      setFleet({ running: false, summary: null });
      setProblem(problemOf(e));
    }
  };
  return (
    <div className="start" data-testid="start-page">
      <h1 tabIndex={-1}>Connect to Microsoft Dynamics 365</h1>
      <p className="summary">Set up a connection step by step, open one you saved, or practise on a sandbox tenant first.</p>
      <div className="start-actions">
        <button type="button" className="button primary big" data-testid="new-connection" onClick={onNew}>
          New connection
        </button>
        <button type="button" className="button big" data-testid="try-sandbox" onClick={() => void sandbox()} disabled={starting}>
          {starting ? "Starting the sandbox…" : "Try the sandbox tenant"}
        </button>
      </div>
      <p className="muted">The sandbox tenant runs inside D365 Connect: no Microsoft account needed, nothing leaves your computer.</p>
      <label className="check-option">
        <input type="checkbox" checked={large} onChange={(e) => setLarge(e.target.checked)} data-testid="sandbox-large" />
        Large sample data (100,000 customers and invoices), to try the table with real volume
      </label>
      {problem && <ErrorPanel problem={problem} />}
      <section className="card" aria-label="Saved connections" aria-busy={profiles.state.status === "running"}>
        <div className="saved-head">
          <h2>Saved connections</h2>
          {entries.length > 1 && (
            <button type="button" className="button small" data-testid="check-all" onClick={() => void checkEvery()} disabled={fleet.running}>
              {fleet.running ? "Checking all…" : "Check all"}
            </button>
          )}
        </div>
        <p className="muted" aria-live="polite" data-testid="fleet-summary">
          {fleet.summary && `Checked ${fleet.summary}.`}
        </p>
        {fleet.summary && (
          <div className="fleet-report" data-testid="fleet-report">
            <p className="muted">Save the report of every connection to hand on: worst first, each with what to fix. It never contains a secret or a token.</p>
            <ReportSaver target={(format) => ({ kind: "FleetReport", format })} write={saveFleetReport} />
          </div>
        )}
        {replacing && <ReplaceSecret key={replacing.name} profile={replacing} onReplaced={() => void reload()} onClose={() => setReplacing(null)} />}
        {profiles.state.status === "failed" && <ErrorPanel problem={profiles.state.problem} />}
        {profiles.state.status === "done" && entries.length === 0 && <p className="muted">None yet.</p>}
        <ul className="profile-list">
          {entries.map((entry) => (
            <li key={entry.name} data-testid={`profile-${entry.name}`}>
              {entry.profile ? (
                <>
                  <div className="profile-name">
                    <strong>{entry.name}</strong>
                    <span className="muted">
                      {[productName(entry.profile.product), entry.profile.environment ?? "no environment yet", entry.profile.tenant].join(" · ")}
                    </span>
                    <LastCheckLine state={checkState(entry)} />
                    {entry.profile.secret && needsSecret(entry.profile.registration) && (
                      <SecretExpiryNote expiresOn={entry.profile.secret.expires_on} onReplace={() => setReplacing(entry.profile)} />
                    )}
                  </div>
                  {editing?.name === entry.name && editing.action !== "delete" ? (
                    <form
                      className="inline-form"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const to = editing.value.trim();
                        void act(() => (editing.action === "rename" ? renameProfile(entry.name, to) : duplicateProfile(entry.name, to)));
                      }}
                    >
                      <label className="visually-hidden" htmlFor={`name-${entry.name}`}>
                        New name
                      </label>
                      <input
                        id={`name-${entry.name}`}
                        autoFocus
                        value={editing.value}
                        onChange={(e) => setEditing({ ...editing, value: e.target.value })}
                      />
                      <button type="submit" className="button small primary">
                        {editing.action === "rename" ? "Rename" : "Duplicate"}
                      </button>
                      <button type="button" className="button small" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : editing?.name === entry.name ? (
                    <div className="inline-form" role="alertdialog" aria-label={`Delete ${entry.name}?`}>
                      <span>Delete “{entry.name}” and its saved secret?</span>
                      <button type="button" className="button small danger" data-testid="confirm-delete" onClick={() => void act(() => deleteProfile(entry.name))}>
                        Delete
                      </button>
                      <button type="button" className="button small" onClick={() => setEditing(null)}>
                        Keep it
                      </button>
                    </div>
                  ) : (
                    <div className="profile-actions">
                      <button type="button" className="button small primary" data-testid="open-profile" onClick={() => onOpen(entry)}>
                        Open
                      </button>
                      <button
                        type="button"
                        className="button small"
                        data-testid="check-profile"
                        disabled={checkState(entry).at === "checking"}
                        onClick={() => void checkOne(entry.name)}
                      >
                        Check again
                      </button>
                      <button type="button" className="button small" onClick={() => setEditing({ name: entry.name, action: "rename", value: entry.name })}>
                        Rename
                      </button>
                      <button
                        type="button"
                        className="button small"
                        data-testid="duplicate-profile"
                        onClick={() => setEditing({ name: entry.name, action: "duplicate", value: `${entry.name} copy` })}
                      >
                        Duplicate
                      </button>
                      <button type="button" className="button small" data-testid="delete-profile" onClick={() => setEditing({ name: entry.name, action: "delete" })}>
                        Delete
                      </button>
                    </div>
                  )}
                </>
              ) : (
                <ErrorPanel problem={entry.problem ?? { kind: "ProfileStorage", message: entry.name, fix: "", details: null, setting: null }} />
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
