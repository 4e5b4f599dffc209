// The rows in view of an open table, fetched from the backend in blocks and
// kept in a small cache. The loaded rows themselves stay in Rust: 100,000 of
// them as JavaScript objects took the WebView half a gigabyte, the few
// thousand around the viewport take next to nothing.
import { useCallback, useEffect, useRef, useState } from "react";
import { tableRows } from "../ipc";
import type { Row } from "./usePagedTable";

/** Rows per request: three screens or so, one IPC call. */
export const BLOCK = 100;
/** Blocks kept; the farthest from the viewport go first. A thousand rows,
 *  thirty screens: each kept row also keeps its built table row and cells,
 *  and 4,000 of them kept the page process about 100 MiB larger after a
 *  long scroll (docs/building.md, "Page memory"). */
const KEPT_BLOCKS = 10;

interface Cache {
  handle: number | null;
  blocks: Map<number, Row[]>;
  pending: Set<number>;
}

const empty = (handle: number | null): Cache => ({ handle, blocks: new Map(), pending: new Set() });

export function useRowWindow(handle: number | null, loaded: number) {
  const cache = useRef<Cache>(empty(handle));
  const [, setArrived] = useState(0);

  // A reopened table (new query) starts with nothing cached; answers for the
  // old one are dropped when they arrive. Switched after the render that
  // brought the new handle (rendering must not write the cache): by the first
  // ensure, or by the effect when no row is asked for yet (still opening).
  const cacheOf = useCallback(() => {
    if (cache.current.handle !== handle) cache.current = empty(handle);
    return cache.current;
  }, [handle]);
  useEffect(() => void cacheOf(), [cacheOf]);

  /** A loaded row if it is cached; undefined while it is on its way. */
  const rowAt = useCallback(
    (index: number): Row | undefined => {
      const c = cache.current;
      return c.handle === handle ? c.blocks.get(Math.floor(index / BLOCK))?.[index % BLOCK] : undefined;
    },
    [handle],
  );

  /** Asks for the rows `start..end` (and a block either side) unless cached. */
  const ensure = useCallback(
    (start: number, end: number) => {
      const c = cacheOf();
      if (c.handle === null || loaded === 0) return;
      const first = Math.floor(Math.max(0, start - BLOCK) / BLOCK);
      const last = Math.floor((Math.min(loaded, end + BLOCK) - 1) / BLOCK);
      for (let block = first; block <= last; block++) {
        const want = Math.min(BLOCK, loaded - block * BLOCK);
        // A block cut short by the end of the loaded rows is asked again
        // once more rows have arrived.
        if ((c.blocks.get(block)?.length ?? 0) >= want || c.pending.has(block)) continue;
        c.pending.add(block);
        tableRows(c.handle, block * BLOCK, block * BLOCK + want).then(
          (rows) => {
            c.pending.delete(block);
            if (cache.current !== c) return;
            c.blocks.set(block, rows);
            const distance = (b: number) => (b < first ? first - b : b > last ? b - last : 0);
            const farthest = [...c.blocks.keys()].sort((a, b) => distance(b) - distance(a));
            for (const b of farthest.slice(0, Math.max(0, c.blocks.size - KEPT_BLOCKS))) c.blocks.delete(b);
            setArrived((n) => n + 1);
          },
          // The table was closed meanwhile; a later call asks again.
          () => c.pending.delete(block),
        );
      }
    },
    [cacheOf, loaded],
  );

  return { rowAt, ensure };
}
