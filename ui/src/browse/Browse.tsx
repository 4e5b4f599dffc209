// The Browse step: pick an entity on the left, see its rows on the right.
// Proves the connection works with real data; everything goes through
// ipc.ts, paging included (the server's nextLink never leaves the backend).
import { useId, useState } from "react";
import type { EntitySummary } from "../bindings/EntitySummary";
import { EntityList } from "./EntityList";
import { EntityView } from "./EntityView";
// In cascade order.
import "./browse.css";
import "./table-view.css";
import "./grid.css";
import "./record-export.css";
import { useStepStatus } from "../wizard/progress";

export interface BrowseProps {
  /** The saved connection profile's name. */
  connection: string;
}

export function Browse({ connection }: BrowseProps) {
  const listId = useId();
  // Remembered with its connection, so switching connections starts afresh.
  const [picked, setPicked] = useState<{ connection: string; entity: EntitySummary } | null>(null);
  const [listShown, setListShown] = useState(true);
  const entity = picked?.connection === connection ? picked.entity : null;
  const showList = listShown || !entity;
  // The step's proof is a table of the connection's data.
  useStepStatus("browse", entity !== null, null);

  // At 1024 pixels the grid is narrow next to the list: let it take the width.
  const toggle = entity && (
    <button
      type="button"
      className="button small list-toggle"
      data-testid="entity-list-toggle"
      aria-expanded={showList}
      aria-controls={listId}
      onClick={() => setListShown((shown) => !shown)}
    >
      {showList ? "Hide entities" : "Entities"}
    </button>
  );

  return (
    <div className={`browse${showList ? "" : " list-hidden"}`} data-testid="browse">
      <EntityList
        key={connection}
        id={listId}
        hidden={!showList}
        connection={connection}
        selected={entity?.name ?? null}
        onSelect={(e) => setPicked({ connection, entity: e })}
      />
      <div className="browse-main">
        {entity ? (
          <EntityView key={`${connection}\n${entity.name}`} connection={connection} entity={entity} toggle={toggle} />
        ) : (
          <div className="browse-empty">
            <p>Choose an entity on the left to see its rows.</p>
            <p className="muted">Type part of a name, then use the arrow keys and Enter, or click.</p>
          </div>
        )}
      </div>
    </div>
  );
}
