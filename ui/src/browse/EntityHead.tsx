import type { ReactNode } from "react";
import type { EntitySummary } from "../bindings/EntitySummary";
import { SourceBadge } from "./SourceBadge";

const letters = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Whether the technical name says nothing the label does not: "customers"
 *  under "Customers", "generalLedgerEntries" under "General Ledger Entries",
 *  "account" under "Accounts". */
export function nameRepeatsLabel(entity: Pick<EntitySummary, "name" | "label">): boolean {
  const [name, label] = [letters(entity.name), letters(entity.label)];
  return name === label || `${name}s` === label || name === `${label}s`;
}

/** The entity's label, its technical name beside it only when that differs, and what belongs beside them. */
export function EntityHead({ entity, toggle, children }: { entity: EntitySummary; toggle: ReactNode; children?: ReactNode }) {
  return (
    <header className="entity-head">
      <div className="entity-title">
        {toggle}
        <h2>{entity.label}</h2>
        <SourceBadge entity={entity} />
        {!nameRepeatsLabel(entity) && <span className="mono muted">{entity.name}</span>}
      </div>
      {children}
    </header>
  );
}
