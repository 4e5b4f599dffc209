import { useEffect, useState } from "react";
import type { Profile } from "../bindings/Profile";
import type { UserError } from "../bindings/UserError";
import { CopyButton } from "../components/CopyButton";
import { ErrorPanel } from "../components/ErrorPanel";
import { useDraft } from "../connection/DraftContext";
import { needsSecret } from "../connection/draft";
import { problemOf, useCall } from "../connection/useCall";
import { importHandoff, saveHandoffScript, setupHandoff } from "../ipc";
import { BusinessCentralSide } from "./BusinessCentralSide";
import { draftFromSaved, toRequest, type SetupFormValues } from "./setupForm";

interface Props {
  form: SetupFormValues;
  /** Why "Set it up for me" stopped, when it sent the person here. */
  problem: UserError | null;
  onContinue: () => void;
}

/** When someone else is the administrator: a script and checklist to send them, and the import of the file their script writes. */
export function Handoff({ form, problem, onContinue }: Props) {
  const { draft, update } = useDraft();
  const pack = useCall(setupHandoff);
  const { run: makePack } = pack;
  const request = toRequest(draft, form);
  const key = JSON.stringify(request);
  const [scriptPath, setScriptPath] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [outputPath, setOutputPath] = useState("");
  const [imported, setImported] = useState<Profile | null>(null);
  const [failure, setFailure] = useState<{ at: "save" | "import"; problem: UserError } | null>(null);

  useEffect(() => {
    if (request.tenant === "") return;
    const timer = setTimeout(() => void makePack(JSON.parse(key)), 250);
    return () => clearTimeout(timer);
    // `key` is the request: a new pack only when what it says changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, makePack]);

  const value = pack.state.status === "done" ? pack.state.value : null;
  const defaultScriptPath = `~/Documents/${value?.script_file_name ?? "register-d365-connect.ps1"}`;
  const defaultOutputPath = `~/Downloads/${value?.output_file_name ?? "d365-connect-app.json"}`;

  const save = async () => {
    setSaved(null);
    setFailure(null);
    try {
      setSaved(await saveHandoffScript(request, scriptPath.trim() || defaultScriptPath));
    } catch (e) {
      setFailure({ at: "save", problem: problemOf(e) });
    }
  };

  const importFile = async () => {
    setImported(null);
    setFailure(null);
    try {
      const profile = await importHandoff(request, outputPath.trim() || defaultOutputPath);
      update(draftFromSaved(profile));
      setImported(profile);
    } catch (e) {
      setFailure({ at: "import", problem: problemOf(e) });
    }
  };

  return (
    <div className="handoff" data-testid="handoff">
      {problem && (
        <section className="card" data-testid="handoff-why">
          <h2>An administrator needs to do this</h2>
          <ErrorPanel problem={problem} />
          <p>
            Send the script below to someone with one of the roles it names. It makes the same app when they run it and writes a file for you
            to import here; nothing else is needed from you.
          </p>
        </section>
      )}
      {request.tenant === "" && (
        <p className="notice" role="note">
          Type your organization's tenant above: the script signs in to it.
        </p>
      )}
      {pack.state.status === "failed" && <ErrorPanel problem={pack.state.problem} />}
      {value && (
        <>
          <section className="card">
            <h2>What happens</h2>
            <p>
              Who can run the script: <strong>{value.roles.join(", ")}</strong>.
            </p>
            <ol className="product-side-steps" data-testid="handoff-checklist">
              {value.checklist.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ol>
          </section>
          <section className="card">
            <h2>The script: {value.script_file_name}</h2>
            <p className="muted">
              It uses Microsoft Graph PowerShell and holds no secret. Your administrator can read every line before running it.
            </p>
            <pre className="code-box" tabIndex={0} aria-label={`The script ${value.script_file_name}`} data-testid="handoff-script">
              {value.script}
            </pre>
            <div className="row">
              <CopyButton value={value.script} label="the script" />
              <label className="grow">
                Save to{" "}
                <input value={scriptPath} placeholder={defaultScriptPath} onChange={(e) => setScriptPath(e.target.value)} data-testid="handoff-script-path" />
              </label>
              <button type="button" className="button" onClick={() => void save()} data-testid="handoff-save-script">
                Save script…
              </button>
            </div>
            {saved && (
              <p role="status" data-testid="handoff-script-saved">
                Saved to <code>{saved}</code>.
              </p>
            )}
            {failure?.at === "save" && <ErrorPanel problem={failure.problem} />}
          </section>
          <section className="card">
            <h2>Import the administrator's file</h2>
            <p>
              When your administrator sends back <code>{value.output_file_name}</code>, save it on this computer and say where it is.
            </p>
            <div className="row">
              <label className="grow">
                File{" "}
                <input value={outputPath} placeholder={defaultOutputPath} onChange={(e) => setOutputPath(e.target.value)} data-testid="handoff-output-path" />
              </label>
              <button type="button" className="button primary" onClick={() => void importFile()} data-testid="handoff-import">
                Import
              </button>
            </div>
            {failure?.at === "import" && <ErrorPanel problem={failure.problem} />}
            {imported && (
              <div role="status" data-testid="handoff-imported">
                <p className="ok">
                  <span className="dot ok" aria-hidden="true" />
                  Saved the connection {imported.name} with the app {imported.client_id}.
                </p>
                {needsSecret(imported.registration) && (
                  <p>Delete {value.output_file_name} now: it holds the app's secret, which is in your keychain from here on.</p>
                )}
              </div>
            )}
          </section>
          {imported?.product === "BusinessCentral" && imported.registration === "BackgroundService" && (
            <BusinessCentralSide name={imported.name} appName={form.appName.trim()} />
          )}
          {imported && (
            <div className="actions">
              <button type="button" className="button primary" data-testid="handoff-continue" onClick={onContinue}>
                Continue to Connect
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
