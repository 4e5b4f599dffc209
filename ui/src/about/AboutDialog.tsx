// The About box, reachable from every screen: the version, the proxy the
// app uses, its log (open it, or save a copy for a support request), and
// the licences of everything it bundles.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { About } from "../bindings/About";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { Logo } from "../components/Logo";
import { Modal } from "../components/Modal";
import { problemOf } from "../connection/useCall";
import { about } from "../ipc";
import { LicenceList } from "./LicenceList";
import { LogPanel } from "./LogPanel";
import { ProxyView } from "./ProxyView";
import "./about.css";

const TABS = [
  { id: "network", label: "Network" },
  { id: "log", label: "Support log" },
  { id: "licences", label: "Licences" },
] as const;
type TabId = (typeof TABS)[number]["id"];

export function AboutDialog({ onClose }: { onClose: () => void }) {
  const id = useId();
  const [info, setInfo] = useState<About | null>(null);
  const [problem, setProblem] = useState<UserError | null>(null);
  const [tab, setTab] = useState<TabId>("network");
  const [busy, setBusy] = useState(false);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    about().then(setInfo, (e) => setProblem(problemOf(e)));
  }, []);

  // Arrow keys move between the tabs, Home and End to the ends (the ARIA
  // tabs pattern); Tab goes on into the panel.
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = TABS.findIndex((t) => t.id === tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = (to + TABS.length) % TABS.length;
    setTab(TABS[next].id);
    tabs.current[next]?.focus();
  };

  return (
    <Modal labelledBy={`${id}-title`} describedBy={`${id}-version`} className="about-dialog" testId="about-dialog" onClose={onClose} busy={busy}>
      <div className="about-head">
        <Logo size={40} />
        <div>
          <h2 id={`${id}-title`}>{info?.name ?? "D365 Connect"}</h2>
          <p id={`${id}-version`} className="muted" data-testid="about-version">
            {info ? `Version ${info.version} · ${info.licence} licence` : "Reading…"}
          </p>
        </div>
      </div>
      {problem && <ErrorPanel problem={problem} />}
      {info && (
        <>
          <div className="about-tabs" role="tablist" aria-label="About D365 Connect" onKeyDown={onTabKey}>
            {TABS.map((t, i) => (
              <button
                key={t.id}
                ref={(el) => {
                  tabs.current[i] = el;
                }}
                type="button"
                role="tab"
                id={`${id}-tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`${id}-panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                data-testid={`about-tab-${t.id}`}
                autoFocus={i === 0}
                onClick={() => setTab(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
          {TABS.map((t) => (
            <div
              key={t.id}
              className={`about-panel about-panel-${t.id}`}
              role="tabpanel"
              id={`${id}-panel-${t.id}`}
              aria-labelledby={`${id}-tab-${t.id}`}
              data-testid={`about-panel-${t.id}`}
              hidden={tab !== t.id}
            >
              {t.id === "network" && <ProxyView proxy={info.proxy} />}
              {t.id === "log" && <LogPanel logFile={info.log_file} logProblem={info.log_problem} onBusy={setBusy} />}
              {t.id === "licences" && <LicenceList licences={info.licences} />}
            </div>
          ))}
        </>
      )}
      <div className="modal-actions">
        <button type="button" className="button" data-testid="about-close" autoFocus={!info} disabled={busy} onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
