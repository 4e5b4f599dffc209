// The applied filter folded into one line, so the rows get the room the
// filter builder took: the filter in words (or its expression, when it is
// not one the builder writes) and Edit to open the builder again.
import type { Ref } from "react";
import type { Column } from "../bindings/Column";
import { describeFilter } from "./filterSummary";

interface Props {
  filter: string;
  columns: readonly Column[];
  /** The filter builder's id, which Edit opens. */
  builderId: string;
  onEdit: () => void;
  /** The Edit button, which takes the focus once a filter is applied. */
  editRef?: Ref<HTMLButtonElement>;
}

export function FilterSummary({ filter, columns, builderId, onEdit, editRef }: Props) {
  const words = describeFilter(filter, columns);
  return (
    <div className="filter-summary" data-testid="filter-summary">
      <span className="filter-summary-text" title={filter}>
        <span className="filter-summary-label">Filtered:</span>{" "}
        {words ?? <code className="mono">{filter}</code>}
      </span>
      <button
        ref={editRef}
        type="button"
        className="button small"
        data-testid="filter-edit"
        aria-label="Edit filter"
        aria-expanded={false}
        aria-controls={builderId}
        onClick={onEdit}
      >
        Edit
      </button>
    </div>
  );
}
