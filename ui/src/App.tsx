import { useEffect, useRef, useState } from "react";
import { appInfo } from "./ipc";
import { Logo } from "./components/Logo";
import { ThemeSwitch } from "./components/ThemeSwitch";
import { StepBody } from "./steps/StepBody";
import { StepList } from "./wizard/StepList";
import { STEPS } from "./wizard/steps";
import { useWizard } from "./wizard/useWizard";
import { WizardFooter } from "./wizard/WizardFooter";

export function App() {
  const wizard = useWizard();
  const step = STEPS[wizard.index];
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  const [version, setVersion] = useState<string | null>(null);

  useEffect(() => {
    appInfo().then(
      (info) => setVersion(info.version),
      () => setVersion(null),
    );
    // Tests and the cold-start benchmark wait for this mark: set after the
    // first frame has been painted (the second animation frame), not merely
    // rendered, so a screenshot taken then shows the wizard.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        document.documentElement.dataset.ready = "true";
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
  }, [wizard.index]);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <Logo />
          <span>D365 Connect</span>
        </div>
        <ThemeSwitch />
      </header>
      <aside className="sidebar">
        <StepList current={wizard.index} visited={wizard.visited} onSelect={wizard.goTo} />
        {version && <p className="version">Version {version}</p>}
      </aside>
      <main className="content">
        <div className="content-scroll">
          <h1 ref={heading} tabIndex={-1} data-testid="step-title">
            {step.title}
          </h1>
          <p className="summary">{step.summary}</p>
          <StepBody id={step.id} />
        </div>
        <WizardFooter index={wizard.index} onBack={wizard.back} onNext={wizard.next} />
      </main>
      <div className="visually-hidden" aria-live="polite" data-testid="announcer">
        Step {wizard.index + 1} of {STEPS.length}: {step.title}
      </div>
    </div>
  );
}
