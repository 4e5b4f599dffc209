// The chosen entity: its columns are read first (they decide the default
// $select and how every cell is formatted), then its table opens.
import { useEffect, type ReactNode } from "react";
import type { EntitySummary } from "../bindings/EntitySummary";
import { ErrorPanel } from "../components/ErrorPanel";
import { useCall } from "../connection/useCall";
import { entityColumns } from "../ipc";
import { EntityHead } from "./EntityHead";
import { TableView } from "./TableView";

interface Props {
  connection: string;
  entity: EntitySummary;
  /** Shown before the entity's name: the button that hides the entity list. */
  toggle: ReactNode;
}

export function EntityView({ connection, entity, toggle }: Props) {
  const { state, run } = useCall(entityColumns);
  useEffect(() => {
    void run(connection, entity.name);
  }, [run, connection, entity.name]);

  if (state.status === "done") return <TableView connection={connection} entity={entity} columns={state.value} toggle={toggle} />;
  return (
    <div className="table-view">
      <EntityHead entity={entity} toggle={toggle} />
      {state.status === "failed" ? (
        <div className="table-problem" data-testid="columns-error">
          <ErrorPanel problem={state.problem} />
          <button type="button" className="button small" onClick={() => void run(connection, entity.name)}>
            Try again
          </button>
        </div>
      ) : (
        <div className="columns-loading" aria-busy="true">
          <p className="muted" aria-live="polite">
            Reading the columns of {entity.label}…
          </p>
          <div className="skeleton" />
          <div className="skeleton short" />
        </div>
      )}
    </div>
  );
}
