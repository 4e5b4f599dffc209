// The grid: TanStack Table for columns, headers, sorting state and cells;
// TanStack Virtual so only the rows in view exist in the DOM. It is an ARIA
// grid of divs (rows are absolutely placed, which a real <table> cannot do
// without losing its semantics), focusable as one stop, the active row
// followed by aria-activedescendant.
import {
  createRow,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type Row as TableRow,
  type SortingState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  memo,
  useEffect,
  useId,
  useImperativeHandle,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type Ref,
} from "react";
import type { Column } from "../bindings/Column";
import { columnWidth, isComparable } from "./columns";
import { cellClass, formatterFor } from "./format";
import type { Row } from "./usePagedTable";

/** Fixed heights: the virtualizer never measures, so nothing jumps. */
const ROW_HEIGHT = 34;
export const HEADER_HEIGHT = 38;
const OPENING_SKELETONS = 12;
const TAIL_SKELETONS = 3;
/** Ask for the next page this many rows before the end: about three screens. */
const PREFETCH_ROWS = 60;
const NO_ROWS: Row[] = [];

interface Props {
  /** The grid's accessible name. */
  label: string;
  /** The shown columns, in order. */
  columns: readonly Column[];
  /** How many rows are loaded. */
  loaded: number;
  /** A loaded row, or undefined while it is being fetched (see useRowWindow). */
  rowAt: (index: number) => Row | undefined;
  /** The rows in view changed: fetch them. */
  onRange: (start: number, end: number) => void;
  opening: boolean;
  more: boolean;
  count: number | null;
  sorting: SortingState;
  onSortingChange: (sorting: SortingState) => void;
  onNearEnd: () => void;
  /** A row was clicked or chosen with Enter. */
  onOpen: (index: number) => void;
  /** The row shown in the record panel. */
  openIndex: number | null;
  /** The grid element, for giving focus back to it. */
  ref?: Ref<HTMLDivElement>;
}

export function DataTable(props: Props) {
  const { columns, loaded, opening, more, sorting, onSortingChange, onNearEnd, onOpen, onRange } = props;
  const id = useId();
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<number | null>(null);
  useImperativeHandle(props.ref, () => scroller.current!, []);

  // TanStack Table v8 builds a Row (with a dozen closures) for every data
  // row whenever the data changes: seconds at 100,000 rows, on every page.
  // The grid shows about thirty, so only those are built, each once (rowAt
  // below): rows are append-only, so a built row stays valid until the
  // columns change, and so the cache of built rows goes with the columns.
  const { defs, built } = useMemo(
    () => ({
      defs: columns.map((column): ColumnDef<Row, unknown> => {
        const format = formatterFor(column);
        return {
          id: column.name,
          accessorFn: (row) => row[column.name],
          header: column.label,
          cell: (ctx) => format(ctx.getValue()),
          size: columnWidth(column),
          enableSorting: isComparable(column),
        };
      }),
      built: new WeakMap<Row, TableRow<Row>>(),
    }),
    [columns],
  );
  const classes = useMemo(() => columns.map((c) => `cell ${cellClass(c)}`), [columns]);

  // eslint-disable-next-line react-hooks/incompatible-library -- a note for React Compiler, which this build does not use; rows are memoized by hand (built, GridRow)
  const table = useReactTable<Row>({
    // Rows are built one by one for the viewport (below), never as a model.
    data: NO_ROWS,
    columns: defs,
    getCoreRowModel: getCoreRowModel(),
    state: { sorting },
    onSortingChange: (update) => onSortingChange(typeof update === "function" ? update(sorting) : update),
    manualSorting: true,
    enableMultiSort: false,
    // Otherwise the first click peeks at the row model to pick a direction.
    sortDescFirst: false,
  });

  const rowAt = (index: number): TableRow<Row> | undefined => {
    const data = props.rowAt(index);
    if (!data) return undefined;
    let row = built.get(data);
    if (!row) built.set(data, (row = createRow(table, String(index), data, index, 0)));
    return row;
  };

  const virtualizer = useVirtualizer({
    count: opening ? 0 : loaded + (more ? TAIL_SKELETONS : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // The body starts under the sticky header, inside the same scroller.
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const firstShown = items.length ? items[0].index : 0;
  const lastShown = items.length ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (more && lastShown >= loaded - PREFETCH_ROWS) onNearEnd();
  }, [more, lastShown, loaded, onNearEnd]);

  useEffect(() => {
    if (lastShown >= 0) onRange(firstShown, lastShown + 1);
  }, [firstShown, lastShown, loaded, onRange]);

  // A reopened table (new sort, filter or columns) starts at the top.
  useEffect(() => {
    if (!opening) return;
    setActive(null);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [opening]);

  const go = (index: number) => {
    if (loaded === 0) return;
    const to = Math.min(Math.max(index, 0), loaded - 1);
    setActive(to);
    virtualizer.scrollToIndex(to, { align: "auto" });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Header buttons handle their own keys.
    if (e.target !== e.currentTarget) return;
    const view = scroller.current ? scroller.current.clientHeight - HEADER_HEIGHT : 0;
    const page = Math.max(1, Math.floor(view / ROW_HEIGHT) - 1);
    const from = active ?? -1;
    const moves: Record<string, number> = { ArrowDown: from + 1, ArrowUp: from - 1, PageDown: from + page, PageUp: from - page, Home: 0, End: loaded - 1 };
    if (e.key in moves) go(moves[e.key]);
    else if ((e.key === "Enter" || e.key === " ") && active !== null) onOpen(active);
    else return;
    e.preventDefault();
  };

  const rowId = (index: number) => `${id}-row-${index}`;
  const width = table.getTotalSize();
  const template = defs.map((d, i) => (i === defs.length - 1 ? `minmax(${d.size}px, 1fr)` : `${d.size}px`)).join(" ");
  const rowCount = props.count !== null ? props.count + 1 : more ? -1 : loaded + 1;
  const headers = table.getHeaderGroups()[0]?.headers ?? [];

  return (
    <div
      ref={scroller}
      className="table-scroll"
      data-testid="table-scroll"
      role="grid"
      aria-label={props.label}
      aria-rowcount={rowCount}
      aria-colcount={columns.length}
      aria-busy={opening}
      aria-activedescendant={active !== null && active < loaded ? rowId(active) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (e.target === e.currentTarget && active === null && loaded > 0) setActive(0);
      }}
    >
      <div className="grid-canvas" style={{ width, "--grid-template": template } as CSSProperties}>
        <div role="rowgroup" className="grid-head">
          <div role="row" aria-rowindex={1} className="grid-row">
            {headers.map((header, i) => {
              const sorted = header.column.getIsSorted();
              const label = String(header.column.columnDef.header);
              return (
                <div
                  key={header.id}
                  role="columnheader"
                  aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                  data-testid={`col-${header.column.id}`}
                  className={classes[i]}
                  title={`${label} (${header.column.id})`}
                >
                  {header.column.getCanSort() ? (
                    <button type="button" className="sort-button" onClick={header.column.getToggleSortingHandler()}>
                      <span className="sort-label">{label}</span>
                      <span className="sort-mark" aria-hidden="true">
                        {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}
                      </span>
                    </button>
                  ) : (
                    <span className="sort-label">{label}</span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
        <div
          role="rowgroup"
          className="grid-body"
          style={{ height: opening ? OPENING_SKELETONS * ROW_HEIGHT : virtualizer.getTotalSize() }}
          onClick={(e) => {
            const row = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
            if (!row) return;
            const index = Number(row.dataset.index);
            setActive(index);
            onOpen(index);
          }}
        >
          {opening
            ? Array.from({ length: OPENING_SKELETONS }, (_, i) => <SkeletonRow key={i} top={i * ROW_HEIGHT} cells={columns.length} />)
            : items.map((v) => {
                const row = v.index < loaded ? rowAt(v.index) : undefined;
                return row ? (
                  <GridRow
                    key={v.index}
                    id={rowId(v.index)}
                    row={row}
                    top={v.start - HEADER_HEIGHT}
                    classes={classes}
                    active={v.index === active}
                    selected={v.index === props.openIndex}
                  />
                ) : (
                  <SkeletonRow key={v.index} top={v.start - HEADER_HEIGHT} cells={columns.length} />
                );
              })}
        </div>
        {!opening && loaded === 0 && <p className="grid-empty">No rows to show.</p>}
      </div>
    </div>
  );
}

interface RowProps {
  id: string;
  row: TableRow<Row>;
  top: number;
  classes: string[];
  active: boolean;
  selected: boolean;
}

// Memoized: while scrolling, rows already on screen keep their props and
// are not rendered again; only rows coming into view are.
const GridRow = memo(function GridRow({ id, row, top, classes, active, selected }: RowProps) {
  return (
    <div
      id={id}
      role="row"
      aria-rowindex={row.index + 2}
      aria-selected={selected}
      data-index={row.index}
      data-testid={`row-${row.index}`}
      data-active={active || undefined}
      className="grid-row"
      style={{ transform: `translateY(${top}px)` }}
    >
      {row.getVisibleCells().map((cell, i) => {
        const text = flexRender(cell.column.columnDef.cell, cell.getContext());
        return (
          <div key={cell.id} role="gridcell" className={classes[i]} title={typeof text === "string" ? text : undefined}>
            {text}
          </div>
        );
      })}
    </div>
  );
});

function SkeletonRow({ top, cells }: { top: number; cells: number }) {
  return (
    <div className="grid-row skeleton-row" aria-hidden="true" style={{ transform: `translateY(${top}px)` }}>
      {Array.from({ length: cells }, (_, i) => (
        <div key={i} className="cell">
          <div className="skeleton" />
        </div>
      ))}
    </div>
  );
}
