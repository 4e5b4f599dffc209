import type { ReactNode } from "react";
import type { EntitySummary } from "../bindings/EntitySummary";

/** The entity's name, and what belongs beside it. */
export function EntityHead({ entity, toggle, children }: { entity: EntitySummary; toggle: ReactNode; children?: ReactNode }) {
  return (
    <header className="entity-head">
      <div className="entity-title">
        {toggle}
        <h2>{entity.label}</h2>
        <span className="mono muted">{entity.name}</span>
      </div>
      {children}
    </header>
  );
}
