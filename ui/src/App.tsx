import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { AboutDialog } from "./about/AboutDialog";
import type { ProfileEntry } from "./bindings/ProfileEntry";
import { Logo } from "./components/Logo";
import { ThemeSwitch } from "./components/ThemeSwitch";
import { DraftProvider, useDraft } from "./connection/DraftContext";
import { EMPTY_DRAFT, fromProfile, sandboxDraft } from "./connection/draft";
import { appInfo, startSandbox } from "./ipc";
import { StartPage } from "./start/StartPage";
import { ProgressProvider, useProgress } from "./wizard/progress";
import { StepList } from "./wizard/StepList";
import { useCompactSteps } from "./wizard/useCompactSteps";
import { STEPS, type StepId } from "./wizard/steps";
import { useWizard } from "./wizard/useWizard";
import { WizardFooter } from "./wizard/WizardFooter";

export function App() {
  return (
    <DraftProvider>
      <ProgressProvider>
        <Shell />
      </ProgressProvider>
    </DraftProvider>
  );
}

// The steps (the data table above all) are not needed for the start page's
// first frame: they load in a chunk of their own, fetched right after it.
const loadSteps = () => import("./steps/StepBody");
const StepBody = lazy(() => loadSteps().then((m) => ({ default: m.StepBody })));

const stepIndex = (id: StepId) => STEPS.findIndex((s) => s.id === id);

function Shell() {
  const progress = useProgress();
  // Next on a step with a problem shows it at its control instead.
  const wizard = useWizard((index) => {
    const id = STEPS[index].id;
    const blocker = progress.statuses[id]?.blocker;
    if (!blocker) return true;
    progress.show(id);
    document.querySelector<HTMLElement>(blocker.target)?.focus();
    return false;
  });
  const { replace } = useDraft();
  const [view, setView] = useState<"start" | "wizard">("start");
  // A new connection (or another saved one) starts every step afresh.
  const [session, setSession] = useState(0);
  const step = STEPS[wizard.index];
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  const [version, setVersion] = useState<string | null>(null);
  const [compactSteps, toggleCompactSteps] = useCompactSteps();
  const [aboutOpen, setAboutOpen] = useState(false);
  const aboutButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    // Tests wait for this mark, and the cold-start benchmark for the
    // app_info call (it prints "ready" then): both come after the first
    // frame has been painted (the second animation frame), not merely
    // rendered, so a screenshot taken then shows the app.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        document.documentElement.dataset.ready = "true";
        void loadSteps();
        appInfo().then(
          (info) => setVersion(info.version),
          () => setVersion(null),
        );
      });
    });
    return () => cancelAnimationFrame(frame);
  }, []);

  // Move focus to the new step's title so screen readers announce it; not on
  // first paint, where focus belongs to the document.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [wizard.index, view]);

  const begin = (at: StepId) => {
    progress.reset();
    wizard.reset(stepIndex(at));
    setSession((n) => n + 1);
    setView("wizard");
  };
  const onNew = () => {
    replace(EMPTY_DRAFT);
    begin("product");
  };
  const onOpen = (entry: ProfileEntry) => {
    if (!entry.profile) return;
    replace(fromProfile(entry.profile));
    begin("connect");
  };
  const onSandbox = async (large: boolean) => {
    replace(sandboxDraft(await startSandbox(large)));
    begin("product");
  };

  return (
    <div className={`app ${view}${compactSteps ? " compact-steps" : ""}`}>
      <header className="app-header">
        <button type="button" className="brand" onClick={() => setView("start")} aria-label="D365 Connect: back to the start page">
          <Logo />
          <span>D365 Connect</span>
        </button>
        <div className="header-actions">
          <button
            ref={aboutButton}
            type="button"
            className="button small"
            aria-haspopup="dialog"
            data-testid="about-button"
            onClick={() => setAboutOpen(true)}
          >
            About
          </button>
          <ThemeSwitch />
        </div>
      </header>
      {aboutOpen && (
        <AboutDialog
          onClose={() => {
            setAboutOpen(false);
            aboutButton.current?.focus();
          }}
        />
      )}
      {view === "start" ? (
        <main className="content start-content">
          <div className="content-scroll">
            <StartPage onNew={onNew} onOpen={onOpen} onSandbox={onSandbox} />
          </div>
        </main>
      ) : (
        <>
          <aside className="sidebar">
            <div>
              <button
                type="button"
                className="sidebar-toggle"
                data-testid="compact-steps"
                aria-pressed={compactSteps}
                aria-label={compactSteps ? "Show step names" : undefined}
                title={compactSteps ? "Show step names" : undefined}
                onClick={toggleCompactSteps}
              >
                <span aria-hidden="true">{compactSteps ? "»" : "«"}</span>
                {!compactSteps && " Hide step names"}
              </button>
              <StepList
                current={wizard.index}
                visited={wizard.visited}
                complete={(id) => progress.statuses[id]?.complete ?? true}
                onSelect={wizard.goTo}
                compact={compactSteps}
              />
            </div>
            {version && <p className="version">Version {version}</p>}
          </aside>
          <main className="content">
            <div className="content-scroll">
              <h1 ref={heading} tabIndex={-1} data-testid="step-title">
                {step.title}
              </h1>
              <p className="summary">{step.summary}</p>
              {/* Visited steps stay mounted, hidden, so going back finds the
                  token panel, the open table or the check results as left. */}
              {STEPS.filter((s) => wizard.visited.has(s.id)).map((s) => (
                <div key={`${session}-${s.id}`} hidden={s.id !== step.id}>
                  <Suspense fallback={null}>
                    <StepBody id={s.id} goTo={(id) => wizard.goTo(stepIndex(id))} />
                  </Suspense>
                </div>
              ))}
            </div>
            <WizardFooter
              index={wizard.index}
              blocked={Boolean(progress.statuses[step.id]?.blocker)}
              onBack={wizard.back}
              onNext={wizard.next}
              onFinish={() => setView("start")}
            />
          </main>
        </>
      )}
      <div className="visually-hidden" aria-live="polite" data-testid="announcer">
        {view === "wizard" ? `Step ${wizard.index + 1} of ${STEPS.length}: ${step.title}` : "Start page"}
      </div>
    </div>
  );
}
