// The entity sets of the connection's environment: a search box that keeps
// focus (combobox pattern) over a virtualized list, since F&O lists 5,000.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { EntitySummary } from "../bindings/EntitySummary";
import type { UserError } from "../bindings/UserError";
import { ErrorPanel } from "../components/ErrorPanel";
import { problemOf } from "../connection/useCall";
import { listEntities } from "../ipc";
import { SourceBadge } from "./SourceBadge";
import { useDebounced } from "./useDebounced";

const ITEM_HEIGHT = 48;
const PAGE_STEP = 10;
const SEARCH_DELAY_MS = 250;

interface Props {
  /** The list's element id, for the button that hides it. */
  id: string;
  hidden: boolean;
  connection: string;
  selected: string | null;
  onSelect: (entity: EntitySummary) => void;
}

export function EntityList({ id: sectionId, hidden, connection, selected, onSelect }: Props) {
  const id = useId();
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), SEARCH_DELAY_MS);
  const [items, setItems] = useState<EntitySummary[] | null>(null);
  const [busy, setBusy] = useState<"searching" | "refreshing" | null>("searching");
  const [problem, setProblem] = useState<UserError | null>(null);
  const [active, setActive] = useState(0);
  // Only the latest request may land: an older, slower search must not
  // replace the list for what the user typed since.
  const latest = useRef(0);

  const load = useCallback(
    (refresh: boolean) => {
      const request = ++latest.current;
      setBusy(refresh ? "refreshing" : "searching");
      listEntities(connection, query, refresh).then(
        (found) => {
          if (request !== latest.current) return;
          setItems(found);
          setActive(0);
          setProblem(null);
          setBusy(null);
        },
        (e) => {
          if (request !== latest.current) return;
          setProblem(problemOf(e));
          setBusy(null);
        },
      );
    },
    [connection, query],
  );

  useEffect(() => {
    load(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- latest counts requests, it is no element ref: bumping its value at cleanup is what drops the answer on its way
    return () => void latest.current++;
  }, [load]);

  const scroller = useRef<HTMLDivElement>(null);
  const count = items?.length ?? 0;
  // eslint-disable-next-line react-hooks/incompatible-library -- a note for React Compiler, which this build does not use
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ITEM_HEIGHT,
    overscan: 8,
  });

  const move = (to: number) => {
    if (count === 0) return;
    const index = Math.min(Math.max(to, 0), count - 1);
    setActive(index);
    virtualizer.scrollToIndex(index, { align: "auto" });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const steps: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: PAGE_STEP, PageUp: -PAGE_STEP };
    if (e.key in steps) {
      move(active + steps[e.key]);
    } else if (e.key === "Enter" && items?.[active]) {
      onSelect(items[active]);
    } else if (e.key === "Escape" && search !== "") {
      setSearch("");
    } else {
      return;
    }
    e.preventDefault();
  };

  const optionId = (index: number) => `${id}-entity-${index}`;
  const status =
    busy === "refreshing"
      ? "Reading the list from the service again…"
      : busy === "searching"
        ? "Searching…"
        : items && `${count.toLocaleString()} ${count === 1 ? "entity" : "entities"}`;

  return (
    <section id={sectionId} hidden={hidden} className="entity-list" aria-label="Entities">
      <label htmlFor={`${id}-search`} className="field-label">
        Find an entity
      </label>
      <input
        id={`${id}-search`}
        data-testid="entity-search"
        className="input"
        type="search"
        role="combobox"
        aria-expanded="true"
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={count > 0 ? optionId(active) : undefined}
        aria-describedby={`${id}-status`}
        placeholder="Name or label, e.g. customers"
        autoComplete="off"
        spellCheck={false}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="entity-list-bar">
        <span id={`${id}-status`} className="muted" aria-live="polite" data-testid="entity-status">
          {status}
        </span>
        <button
          type="button"
          className="button small"
          data-testid="entity-refresh"
          disabled={busy === "refreshing"}
          onClick={() => load(true)}
          title="Read the entity list from the service again, for entities added since"
        >
          Refresh list
        </button>
      </div>
      {problem && (
        <div className="entity-problem">
          <ErrorPanel problem={problem} />
          <button type="button" className="button small" onClick={() => load(false)}>
            Try again
          </button>
        </div>
      )}
      <div ref={scroller} className="entity-scroll" id={`${id}-list`} role="listbox" aria-label="Entities found">
        {items === null && !problem && <SkeletonItems />}
        {items?.length === 0 && (
          <p className="entity-empty muted">
            {query ? `No entity matches “${query}”.` : "This environment lists no entities."}
          </p>
        )}
        <div style={{ height: virtualizer.getTotalSize() }} className="entity-canvas">
          {virtualizer.getVirtualItems().map((v) => {
            const entity = items![v.index];
            return (
              <div
                key={entity.name}
                id={optionId(v.index)}
                role="option"
                aria-selected={entity.name === selected}
                data-active={v.index === active || undefined}
                data-testid={`entity-${entity.name}`}
                className="entity-item"
                style={{ transform: `translateY(${v.start}px)` }}
                onClick={() => {
                  setActive(v.index);
                  onSelect(entity);
                }}
              >
                <span className="entity-label">
                  {entity.label} <SourceBadge entity={entity} />
                </span>
                <span className="entity-name">{entity.name}</span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function SkeletonItems() {
  return (
    <div aria-hidden="true">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="entity-item skeleton-item">
          <div className="skeleton" />
          <div className="skeleton short" />
        </div>
      ))}
    </div>
  );
}
