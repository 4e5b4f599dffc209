// A fake of the data commands behind mockIPC: an entity catalog and one
// table served in server-sized pages by handle, its loaded rows read back
// in slices, as the Rust side does.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { Column } from "../../bindings/Column";
import type { EntitySummary } from "../../bindings/EntitySummary";
import type { ExportProgress } from "../../bindings/ExportProgress";
import type { TablePage } from "../../bindings/TablePage";
import type { UserError } from "../../bindings/UserError";
import { CUSTOMER_COLUMNS, ENTITIES, customerRow } from "./fixtures";

export type Args = Record<string, unknown>;

export interface FakeOptions {
  entities?: EntitySummary[];
  columns?: Column[];
  /** Rows on the server. */
  total?: number;
  /** Rows per server page, whatever the UI asks for. */
  serverPage?: number;
  /** Where the server stops counting (Dataverse: 5,000). */
  countLimit?: number;
  /** Commands that reject with this problem. */
  fail?: Record<string, UserError>;
  /** The export's own behaviour; resolves by default. */
  exportTable?: (args: Args, send: (event: ExportProgress) => void) => unknown;
  /** What the save dialog answers: a path, or null when cancelled. */
  savePath?: string | null;
}

export const problem = (kind: UserError["kind"], message: string): UserError => ({
  kind,
  message,
  fix: "Do the obvious thing.",
  details: `raw ${kind}`,
  setting: null,
});

export function fakeBackend(options: FakeOptions = {}) {
  const {
    entities = ENTITIES,
    columns = CUSTOMER_COLUMNS,
    total = 450,
    serverPage = 200,
    countLimit = Infinity,
    fail = {},
    savePath = "/home/me/Documents/Contoso - customers - 2026-12-05.csv",
  } = options;
  const calls: { cmd: string; args: Args }[] = [];
  let saveAnswer = savePath;
  const cursors = new Map<number, number>();
  let handles = 0;
  const page = (handle: number): TablePage => {
    const from = cursors.get(handle) ?? 0;
    const to = Math.min(from + serverPage, total);
    cursors.set(handle, to);
    const counted = total <= countLimit;
    return {
      handle,
      loaded: to,
      count: counted ? total : null,
      at_least: counted ? null : countLimit,
      more: to < total,
    };
  };

  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Args;
    calls.push({ cmd, args });
    if (fail[cmd]) throw fail[cmd];
    switch (cmd) {
      case "list_entities": {
        const search = String(args.search).toLowerCase();
        return entities.filter((e) => e.name.toLowerCase().includes(search) || e.label.toLowerCase().includes(search));
      }
      case "entity_columns":
        return columns;
      case "open_table":
        return page(++handles);
      case "more_rows":
        return page(args.handle as number);
      case "table_rows": {
        // Only loaded rows of an open table, like the backend.
        const loaded = cursors.get(args.handle as number);
        if (loaded === undefined) throw problem("NotFound", "This table was closed.");
        const end = Math.min(args.end as number, loaded);
        const start = Math.min(args.start as number, end);
        return Array.from({ length: end - start }, (_, i) => customerRow(start + i));
      }
      case "close_table":
      case "cancel_operation":
      case "open_saved_file":
      case "show_saved_file":
        return null;
      case "choose_save_path":
        return saveAnswer;
      case "export_table": {
        const channel = args.onProgress as { onmessage: (e: ExportProgress) => void };
        if (options.exportTable) return options.exportTable(args, (e) => channel.onmessage(e));
        return { rows: total, pages: Math.ceil(total / serverPage), path: args.path };
      }
      default:
        throw `unexpected command ${cmd}`;
    }
  });

  return {
    calls,
    /** The command works from now on. */
    heal: (cmd: string) => delete fail[cmd],
    /** What the save dialog answers from now on. */
    answerSaveDialog: (path: string | null) => (saveAnswer = path),
    /** The arguments of every call of one command, in order. */
    of: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
}
