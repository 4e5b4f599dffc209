// Conditions of (column, operator, value), joined by "and", written into
// an OData $filter expression the user can also edit by hand. Applying
// sends the expression text, whatever wrote it.
import { useId, useMemo, useRef, useState } from "react";
import type { Column } from "../bindings/Column";
import { enumOf, isComparable, kindTag, memberLabel } from "./columns";
import { buildFilter, operatorLabel, operatorsFor, type Condition, type Operator } from "./odata";

interface Props {
  id: string;
  hidden: boolean;
  /** Every column of the entity: filtering is not limited to the shown ones. */
  columns: readonly Column[];
  /** The filter the table shows now. */
  applied: string | null;
  onApply: (filter: string | null) => void;
}

/** A value that is already complete for choice-like columns. */
function firstValue(column: Column): string {
  if (kindTag(column.kind) === "Boolean") return "true";
  return enumOf(column.kind)?.members[0]?.name ?? "";
}

export function FilterBuilder({ id: sectionId, hidden, columns, applied, onApply }: Props) {
  const id = useId();
  const comparable = useMemo(() => columns.filter(isComparable), [columns]);
  const byName = useMemo(() => new Map(columns.map((c) => [c.name, c])), [columns]);
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [raw, setRaw] = useState(applied ?? "");
  const nextId = useRef(1);
  const { problems } = buildFilter(conditions, columns);

  // The builder owns the expression while the user works in it.
  const change = (next: Condition[]) => {
    setConditions(next);
    setRaw(buildFilter(next, columns).expression);
  };
  const update = (cid: number, patch: Partial<Condition>) =>
    change(conditions.map((c) => (c.id === cid ? { ...c, ...patch } : c)));
  const pickColumn = (cid: number, name: string) => {
    const column = byName.get(name)!;
    update(cid, { column: name, op: operatorsFor(column)[0], value: firstValue(column) });
  };
  const add = () => {
    const column = comparable[0];
    if (!column) return;
    change([...conditions, { id: nextId.current++, column: column.name, op: operatorsFor(column)[0], value: firstValue(column) }]);
  };
  const apply = () => onApply(raw.trim() === "" ? null : raw.trim());
  const pending = raw.trim() !== (applied ?? "");

  return (
    <section id={sectionId} hidden={hidden} className="filter-builder" aria-label="Filter rows" data-testid="filter-builder">
      {conditions.length > 0 && (
        <ol className="conditions">
          {conditions.map((condition, n) => {
            const column = byName.get(condition.column)!;
            // An empty value is unfinished, not wrong: say nothing yet.
            const problem = condition.value === "" ? undefined : problems.get(condition.id);
            const problemId = `${id}-problem-${condition.id}`;
            const which = `condition ${n + 1}`;
            return (
              <li key={condition.id} className="condition" data-testid={`condition-${n}`}>
                {n > 0 && <span className="condition-and">and</span>}
                <select
                  className="input"
                  aria-label={`Column, ${which}`}
                  data-testid="condition-column"
                  value={condition.column}
                  onChange={(e) => pickColumn(condition.id, e.target.value)}
                >
                  {comparable.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.label}
                    </option>
                  ))}
                </select>
                <select
                  className="input"
                  aria-label={`Comparison, ${which}`}
                  data-testid="condition-operator"
                  value={condition.op}
                  onChange={(e) => update(condition.id, { op: e.target.value as Operator })}
                >
                  {operatorsFor(column).map((op) => (
                    <option key={op} value={op}>
                      {operatorLabel(column, op)}
                    </option>
                  ))}
                </select>
                <ValueInput
                  column={column}
                  value={condition.value}
                  label={`Value, ${which}`}
                  describedBy={problem ? problemId : undefined}
                  onChange={(value) => update(condition.id, { value })}
                />
                <button
                  type="button"
                  className="button small"
                  aria-label={`Remove ${which}`}
                  onClick={() => change(conditions.filter((c) => c.id !== condition.id))}
                >
                  Remove
                </button>
                {problem && (
                  <p id={problemId} className="condition-problem">
                    {problem}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button small" data-testid="filter-add" onClick={add} disabled={comparable.length === 0}>
        Add condition
      </button>
      <label className="field-label" htmlFor={`${id}-raw`}>
        Filter expression (OData $filter)
      </label>
      <textarea
        id={`${id}-raw`}
        className="input raw-filter"
        data-testid="filter-raw"
        rows={2}
        spellCheck={false}
        aria-describedby={`${id}-raw-help`}
        placeholder="e.g. city eq 'Seattle' and balance gt 1000"
        value={raw}
        onChange={(e) => setRaw(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            apply();
          }
        }}
      />
      <p id={`${id}-raw-help`} className="help">
        The conditions above write this for you; you can also edit it. Ctrl+Enter applies it.
      </p>
      <div className="filter-actions">
        <button type="button" className="button small primary" data-testid="filter-apply" onClick={apply}>
          Apply filter
        </button>
        <button
          type="button"
          className="button small"
          data-testid="filter-clear"
          disabled={applied === null && raw === "" && conditions.length === 0}
          onClick={() => {
            change([]);
            onApply(null);
          }}
        >
          Clear filter
        </button>
        <span className="muted" aria-live="polite">
          {pending ? "Not applied yet." : applied ? "Applied." : ""}
        </span>
      </div>
    </section>
  );
}

interface ValueProps {
  column: Column;
  value: string;
  label: string;
  describedBy: string | undefined;
  onChange: (value: string) => void;
}

/** The input that fits the column's type, so most values cannot be mistyped. */
function ValueInput({ column, value, label, describedBy, onChange }: ValueProps) {
  const common = {
    className: "input",
    "aria-label": label,
    "aria-describedby": describedBy,
    "aria-invalid": describedBy ? true : undefined,
    "data-testid": "condition-value",
    value,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  const members = enumOf(column.kind)?.members;
  if (members) {
    return (
      <select {...common}>
        {members.map((m) => (
          <option key={m.name} value={m.name}>
            {memberLabel(m)}
          </option>
        ))}
      </select>
    );
  }
  switch (kindTag(column.kind)) {
    case "Boolean":
      return (
        <select {...common}>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      );
    case "Date":
      return <input {...common} type="date" />;
    case "DateTime":
      return <input {...common} type="datetime-local" step={1} />;
    case "Time":
      return <input {...common} type="time" step={1} />;
    case "Integer":
      return <input {...common} type="text" inputMode="numeric" autoComplete="off" />;
    case "Decimal":
    case "Money":
      return <input {...common} type="text" inputMode="decimal" autoComplete="off" />;
    default:
      return <input {...common} type="text" autoComplete="off" spellCheck={false} />;
  }
}
