import type { StepId } from "../wizard/steps";
import { STEP_INTRO } from "./content";
import { SecretStoreCard } from "./SecretStoreCard";

/** The body of a step. Steps not built yet say so plainly; nothing is faked. */
export function StepBody({ id }: { id: StepId }) {
  return (
    <div className="step-body">
      <section className="card intro" aria-label="What happens in this step">
        {STEP_INTRO[id].map((line) => (
          <p key={line}>{line}</p>
        ))}
        <p className="coming-soon">
          <span className="badge">Coming soon</span> This step is being built.
        </p>
      </section>
      {id === "credentials" && <SecretStoreCard />}
    </div>
  );
}
