// One open table on the backend: opened at its first page, grown page by
// page (append-only: loaded rows are never fetched from the service again),
// closed when the query changes or the view goes away. The server's nextLink
// and the loaded rows stay in Rust; here a page is asked for by handle, and
// the rows in view through useRowWindow.
import { useCallback, useEffect, useRef, useState } from "react";
import type { TableQuery } from "../bindings/TableQuery";
import type { UserError } from "../bindings/UserError";
import { problemOf } from "../connection/useCall";
import { closeTable, moreRows, openTable } from "../ipc";

export type Row = Record<string, unknown>;

export interface TableState {
  status: "opening" | "ready" | "failed";
  /** The open table on the backend. */
  handle: number | null;
  /** How many rows are loaded. */
  loaded: number;
  /** The total on the server, when it says. */
  count: number | null;
  /** "More than this many": the server stopped counting (Dataverse, 5,000). */
  atLeast: number | null;
  more: boolean;
  loadingMore: boolean;
  /** Why opening failed. */
  problem: UserError | null;
  /** Why the last page failed; paging waits for a retry. */
  moreProblem: UserError | null;
}

const OPENING: TableState = {
  status: "opening",
  handle: null,
  loaded: 0,
  count: null,
  atLeast: null,
  more: false,
  loadingMore: false,
  problem: null,
  moreProblem: null,
};

// The backend may already be closing a table we dropped; nothing to tell.
const closeQuietly = (handle: number) => void closeTable(handle).catch(() => undefined);

/** `query` must keep its identity while unchanged: a new object reopens the table. */
export function usePagedTable(connection: string, entity: string, query: TableQuery, pageSize: number) {
  const [state, setState] = useState<TableState>(OPENING);
  const [attempt, setAttempt] = useState(0);
  // A new query (or a retry) is opening from its first render on, not one
  // render late from the effect below, which would show the old rows under it.
  const request = [connection, entity, query, pageSize, attempt] as const;
  const [opened, setOpened] = useState(request);
  if (request.some((value, i) => value !== opened[i])) {
    setOpened(request);
    setState(OPENING);
  }
  // Read synchronously by loadMore: two scroll events in one frame must not
  // ask for the same page twice.
  const current = useRef<{ handle: number | null; busy: boolean; more: boolean; blocked: boolean }>({
    handle: null,
    busy: false,
    more: false,
    blocked: false,
  });

  useEffect(() => {
    let live = true;
    current.current = { handle: null, busy: false, more: false, blocked: false };
    openTable(connection, entity, query, pageSize).then(
      (page) => {
        // Opened after the user moved on (or a StrictMode remount): drop it.
        if (!live) return closeQuietly(page.handle);
        current.current = { handle: page.handle, busy: false, more: page.more, blocked: false };
        setState({ ...OPENING, status: "ready", handle: page.handle, loaded: page.loaded, count: page.count, atLeast: page.at_least, more: page.more });
      },
      (e) => {
        if (live) setState({ ...OPENING, status: "failed", problem: problemOf(e) });
      },
    );
    return () => {
      live = false;
      const { handle } = current.current;
      current.current = { handle: null, busy: false, more: false, blocked: false };
      if (handle !== null) closeQuietly(handle);
    };
  }, [connection, entity, query, pageSize, attempt]);

  const loadMore = useCallback(() => {
    const table = current.current;
    const handle = table.handle;
    if (handle === null || table.busy || !table.more || table.blocked) return;
    table.busy = true;
    setState((s) => ({ ...s, loadingMore: true }));
    // Every answer checks it still belongs to the open table: a sort or a
    // filter may have reopened it while the page was on its way.
    const stillOpen = () => current.current.handle === handle;
    moreRows(handle).then(
      (page) => {
        if (!stillOpen()) return;
        current.current.busy = false;
        current.current.more = page.more;
        setState((s) => ({
          ...s,
          loaded: page.loaded,
          count: page.count ?? s.count,
          atLeast: page.at_least ?? s.atLeast,
          more: page.more,
          loadingMore: false,
        }));
      },
      (e) => {
        if (!stillOpen()) return;
        current.current.busy = false;
        current.current.blocked = true;
        setState((s) => ({ ...s, loadingMore: false, moreProblem: problemOf(e) }));
      },
    );
  }, []);

  const retryMore = useCallback(() => {
    current.current.blocked = false;
    setState((s) => ({ ...s, moreProblem: null }));
    loadMore();
  }, [loadMore]);

  const reopen = useCallback(() => setAttempt((n) => n + 1), []);

  return { ...state, loadMore, retryMore, reopen };
}
