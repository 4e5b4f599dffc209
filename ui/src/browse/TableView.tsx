// One entity's rows: the toolbar (columns, filter, export), the filter
// builder or, once applied, its one-line summary, the grid with the record
// panel beside it, and the paging status. Every change of columns, filter or
// sort becomes a new query, which reopens the table on the server.
import type { SortingState } from "@tanstack/react-table";
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import type { Column } from "../bindings/Column";
import type { EntitySummary } from "../bindings/EntitySummary";
import type { TableQuery } from "../bindings/TableQuery";
import { ErrorPanel } from "../components/ErrorPanel";
import { ColumnChooser } from "./ColumnChooser";
import { defaultSelection, readingOrder } from "./columns";
import { rowCountText } from "./count";
import { DataTable } from "./DataTable";
import { EntityHead } from "./EntityHead";
import { ExportDialog } from "./ExportDialog";
import { FilterBuilder } from "./FilterBuilder";
import { FilterSummary } from "./FilterSummary";
import { orderbyOf } from "./odata";
import { RecordPanel } from "./RecordPanel";
import { usePagedTable, type Row } from "./usePagedTable";
import { useRowWindow } from "./useRowWindow";

/** Rows per request: a screenful many times over, small enough to arrive fast. */
export const PAGE_SIZE = 1000;

interface Props {
  connection: string;
  entity: EntitySummary;
  /** Every column of the entity. */
  columns: readonly Column[];
  toggle: ReactNode;
}

export function TableView({ connection, entity, columns, toggle }: Props) {
  const byName = useMemo(() => new Map(columns.map((c) => [c.name, c])), [columns]);
  const [select, setSelect] = useState(() => defaultSelection(columns));
  const [filter, setFilter] = useState<string | null>(null);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [filterOpen, setFilterOpen] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [record, setRecord] = useState<{ index: number; row: Row } | null>(null);
  const filterId = useId();
  const grid = useRef<HTMLDivElement>(null);
  const exportButton = useRef<HTMLButtonElement>(null);
  const editFilter = useRef<HTMLButtonElement>(null);
  // Where the focus goes once the filter folds or unfolds: the control that
  // had it is hidden with the part it belonged to.
  const focusNext = useRef<"summary" | "builder" | null>(null);
  useEffect(() => {
    const to = focusNext.current;
    focusNext.current = null;
    if (to === "summary") editFilter.current?.focus();
    if (to === "builder") document.getElementById(filterId)?.querySelector<HTMLElement>("select, textarea")?.focus();
  }, [filterOpen, filterId]);

  const query = useMemo<TableQuery>(() => ({ select, filter, orderby: orderbyOf(sorting), count: true }), [select, filter, sorting]);
  const table = usePagedTable(connection, entity.name, query, PAGE_SIZE);
  const view = useRowWindow(table.handle, table.loaded);
  // The row is kept with its index: the cache may drop it while it is open.
  const openRecord = (index: number) => {
    const row = view.rowAt(index);
    if (row) setRecord({ index, row });
  };
  // $select keeps the service's order; the grid shows IDs last.
  const shown = useMemo(() => readingOrder(select.flatMap((name) => byName.get(name) ?? [])), [select, byName]);

  // Each of these is a new query, so new rows: an open record panel would
  // point at a row of the old ones.
  const onSelect = (next: string[]) => {
    setRecord(null);
    setSelect(next);
    // A sort on a column no longer shown would be invisible.
    setSorting((s) => s.filter((key) => next.includes(key.id)));
  };
  const onSortingChange = (next: SortingState) => {
    setRecord(null);
    setSorting(next);
  };
  const onFilter = (next: string | null) => {
    setRecord(null);
    setFilter(next);
  };
  // An applied filter folds into its summary line; clearing keeps the
  // builder open for the next one.
  const applyFilter = (next: string | null) => {
    onFilter(next);
    if (next === null) return;
    focusNext.current = "summary";
    setFilterOpen(false);
  };
  const reopenFilter = () => {
    focusNext.current = "builder";
    setFilterOpen(true);
  };

  const closeRecord = () => {
    setRecord(null);
    grid.current?.focus();
  };

  const rows = table.loaded;
  const total = table.count ?? (table.status === "ready" && !table.more ? rows : null);
  // The count is in the heading; this line says what the table is doing.
  const status =
    table.status === "opening"
      ? "Loading rows…"
      : table.status === "failed"
        ? "The rows could not be loaded."
        : table.loadingMore
          ? "Loading more…"
          : table.more
            ? "Scroll down for more."
            : rows > 0
              ? "All rows loaded."
              : "";

  return (
    <div className="table-view">
      <EntityHead entity={entity} toggle={toggle}>
        <span className="row-count" data-testid="row-count" aria-live="polite">
          {table.status === "ready" && rowCountText({ total, atLeast: table.atLeast, loaded: rows })}
        </span>
      </EntityHead>
      <div className="toolbar">
        <ColumnChooser columns={columns} selected={select} onApply={onSelect} />
        <button
          type="button"
          className="button small"
          data-testid="filter-button"
          aria-expanded={filterOpen}
          aria-controls={filterId}
          onClick={() => setFilterOpen((o) => !o)}
        >
          Filter{filter !== null && <span className="on-badge">on</span>}
        </button>
        <button
          ref={exportButton}
          type="button"
          className="button small"
          data-testid="export-button"
          disabled={table.status === "failed"}
          onClick={() => setExporting(true)}
        >
          Export…
        </button>
      </div>
      {/* Hidden, not unmounted: closing the panel keeps the conditions. */}
      <FilterBuilder id={filterId} hidden={!filterOpen} columns={columns} applied={filter} onApply={applyFilter} />
      {filter !== null && !filterOpen && (
        <FilterSummary filter={filter} columns={columns} builderId={filterId} onEdit={reopenFilter} editRef={editFilter} />
      )}
      <div className="table-area">
        {table.status === "failed" && table.problem ? (
          <div className="table-problem" data-testid="table-error">
            <ErrorPanel problem={table.problem} />
            <div className="problem-actions">
              <button type="button" className="button small" onClick={table.reopen}>
                Try again
              </button>
              {/* The grid's headers are gone with it: the way back from a
                  sort or filter the service refuses. */}
              {(sorting.length > 0 || filter !== null) && (
                <button
                  type="button"
                  className="button small"
                  data-testid="reset-query"
                  onClick={() => {
                    onSortingChange([]);
                    onFilter(null);
                  }}
                >
                  Remove sort and filter
                </button>
              )}
            </div>
          </div>
        ) : (
          <DataTable
            ref={grid}
            label={`Rows of ${entity.label}`}
            columns={shown}
            loaded={table.loaded}
            rowAt={view.rowAt}
            onRange={view.ensure}
            opening={table.status === "opening"}
            more={table.more}
            count={table.count}
            sorting={sorting}
            onSortingChange={onSortingChange}
            onNearEnd={table.loadMore}
            onOpen={openRecord}
            openIndex={record?.index ?? null}
          />
        )}
        {record !== null && <RecordPanel row={record.row} index={record.index} columns={columns} onClose={closeRecord} />}
      </div>
      <div className="table-foot">
        <span aria-live="polite" data-testid="table-status">
          {status}
        </span>
        {table.moreProblem && (
          <div className="more-problem" data-testid="more-error">
            <ErrorPanel problem={table.moreProblem} />
            <button type="button" className="button small" onClick={table.retryMore}>
              Try again
            </button>
          </div>
        )}
      </div>
      {exporting && (
        <ExportDialog
          connection={connection}
          entity={entity}
          query={{ ...query, count: false }}
          total={total}
          onClose={() => {
            setExporting(false);
            exportButton.current?.focus();
          }}
        />
      )}
    </div>
  );
}
