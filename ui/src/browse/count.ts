// How the grid counts rows, in one wording wherever it does: "2,500 rows ·
// 1,000 loaded", "2,500 rows" once all are loaded, "1,000 loaded" when the
// service gives no total.
import { displayLocale, numberFormat } from "./locale";

/** A whole number grouped in the display locale: 2,500. */
export const formatCount = (n: number, locale = displayLocale()): string =>
  numberFormat(locale, { maximumFractionDigits: 0 }).format(n);

const rows = (n: number, locale: string) => `${formatCount(n, locale)} ${n === 1 ? "row" : "rows"}`;

export interface RowCount {
  /** Rows on the server, when known. */
  total: number | null;
  /** "More than this many": the server stopped counting (Dataverse, 5,000). */
  atLeast: number | null;
  loaded: number;
}

export function rowCountText({ total, atLeast, loaded }: RowCount, locale = displayLocale()): string {
  const done = `${formatCount(loaded, locale)} loaded`;
  if (total !== null) return loaded >= total ? rows(total, locale) : `${rows(total, locale)} · ${done}`;
  if (atLeast !== null) return `More than ${rows(atLeast, locale)} · ${done}`;
  return done;
}
