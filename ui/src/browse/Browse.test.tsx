import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browse } from "./Browse";
import { HEADER_HEIGHT } from "./DataTable";
import type { ExportProgress } from "../bindings/ExportProgress";
import { PAGE_SIZE } from "./TableView";
import { BLOCK } from "./useRowWindow";
import { type Args, fakeBackend, problem } from "./test/backend";
import { ENTITIES, WEB_SERVICE, customerRow } from "./test/fixtures";

// jsdom lays nothing out: give every element a viewport so the virtualizers
// render the rows a 400-pixel-high window would show.
const VIEW_HEIGHT = 400;
// (jsdom defines these on Element; shadowing them on HTMLElement is undone
// by deleting the shadow.)
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => VIEW_HEIGHT });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 800 });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
  delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
});

async function openCustomers(backend = fakeBackend()) {
  const user = userEvent.setup();
  render(<Browse connection="Contoso" />);
  await user.click(await screen.findByTestId("entity-customers"));
  await screen.findByTestId("row-0");
  return { user, backend };
}

const scroller = () => screen.getByTestId("table-scroll");
/** Scrolls as a user would: to the last loaded row, no further. */
const scrollToBottom = () => {
  const el = scroller();
  const body = el.querySelector<HTMLElement>(".grid-body")!;
  act(() => {
    el.scrollTop = parseFloat(body.style.height) + HEADER_HEIGHT - VIEW_HEIGHT;
    fireEvent.scroll(el);
  });
};
const last = <T,>(items: T[]): T => items[items.length - 1];
const lastOpen = (backend: ReturnType<typeof fakeBackend>) => last(backend.of("open_table"));
const query = (args: Args) => args.query as { select: string[]; filter: string | null; orderby: string[]; count: boolean };

describe("the entity list", () => {
  it("marks Business Central's web services apart from the API's tables of the same name", async () => {
    const backend = fakeBackend({ entities: [...ENTITIES, WEB_SERVICE] });
    const user = userEvent.setup();
    render(<Browse connection="Contoso" />);
    const service = await screen.findByTestId("entity-ODataV4/Customers");
    expect(service).toHaveTextContent("Web service");
    expect(screen.getByTestId("entity-customers")).not.toHaveTextContent("Web service");
    await user.click(service);
    const heading = await screen.findByRole("banner");
    expect(heading).toHaveTextContent("Customers");
    expect(heading).toHaveTextContent("ODataV4/Customers");
    expect(heading).toHaveTextContent("Web service");
    await waitFor(() => expect(lastOpen(backend).entity).toBe("ODataV4/Customers"));
  });

  it("lists every entity, then searches as the user types", async () => {
    const backend = fakeBackend();
    const user = userEvent.setup();
    render(<Browse connection="Contoso" />);
    expect(await screen.findByTestId("entity-customers")).toHaveTextContent("Customers");
    expect(screen.getByTestId("entity-customers")).toHaveTextContent("customers");
    expect(screen.getByTestId("entity-status")).toHaveTextContent("3 entities");
    expect(backend.of("list_entities")[0]).toEqual({ name: "Contoso", search: "", refresh: false });

    await user.type(screen.getByTestId("entity-search"), "sales");
    await waitFor(() => expect(screen.queryByTestId("entity-customers")).toBeNull());
    expect(screen.getByTestId("entity-salesInvoices")).toBeInTheDocument();
    // Debounced: one search for the whole word, not one per key.
    expect(backend.of("list_entities").map((a) => a.search)).toEqual(["", "sales"]);
  });

  it("moves with the arrow keys and opens with Enter", async () => {
    const backend = fakeBackend();
    const user = userEvent.setup();
    render(<Browse connection="Contoso" />);
    await screen.findByTestId("entity-customers");
    const search = screen.getByTestId("entity-search");
    await user.click(search);
    await user.keyboard("{ArrowDown}");
    expect(search).toHaveAttribute("aria-activedescendant", screen.getByTestId("entity-vendors").id);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(backend.of("entity_columns")).toEqual([{ name: "Contoso", entity: "vendors" }]));
    expect(screen.getByTestId("entity-vendors")).toHaveAttribute("aria-selected", "true");
  });

  it("reads the list again on Refresh list", async () => {
    const backend = fakeBackend();
    const user = userEvent.setup();
    render(<Browse connection="Contoso" />);
    await screen.findByTestId("entity-customers");
    await user.click(screen.getByTestId("entity-refresh"));
    await waitFor(() => expect(last(backend.of("list_entities"))).toEqual({ name: "Contoso", search: "", refresh: true }));
  });

  it("shows the error panel when the list cannot be read, and tries again", async () => {
    const failing = fakeBackend({ fail: { list_entities: problem("TokenRejected", "Business Central refused the sign-in.") } });
    const user = userEvent.setup();
    render(<Browse connection="Contoso" />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Business Central refused the sign-in.");
    expect(alert).toHaveTextContent("What to do: Do the obvious thing.");
    expect(failing.of("list_entities")).toHaveLength(1);
    fakeBackend();
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("entity-customers")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("the table", () => {
  it("opens at the first page with typed cells, the default columns and a count", async () => {
    const { backend } = await openCustomers();
    const open = lastOpen(backend);
    expect(open).toMatchObject({ name: "Contoso", entity: "customers", pageSize: PAGE_SIZE });
    expect(query(open)).toEqual({
      select: ["id", "number", "displayName", "balance", "blocked", "taxLiable", "lastModifiedDateTime"],
      filter: null,
      orderby: [],
      count: true,
    });
    // What people read first; the ID last. The blank member is named.
    const first = within(screen.getByTestId("row-0")).getAllByRole("gridcell").map((c) => c.textContent);
    expect(first.slice(0, 5)).toEqual(["C00000", "Customer 0", "0", "(blank)", "Yes"]);
    expect(last(first)).toBe("00000000-0000-0000-0000-000000000000");
    expect(screen.getAllByRole("columnheader")[0]).toHaveTextContent("No.");
    expect(within(screen.getByTestId("row-1")).getAllByRole("gridcell")[2]).toHaveTextContent((10.5).toLocaleString());
    expect(within(screen.getByTestId("row-1")).getAllByRole("gridcell")[3]).toHaveTextContent("Ship");
    expect(screen.getByTestId("col-displayName")).toHaveTextContent("Display name");
    expect(screen.queryByTestId("col-picture")).toBeNull();
    expect(screen.getByTestId("row-count")).toHaveTextContent("450 rows · 200 loaded");
    expect(screen.getByTestId("table-status")).toHaveTextContent("Scroll down for more.");
    expect(scroller()).toHaveAttribute("role", "grid");
    expect(scroller()).toHaveAttribute("aria-rowcount", "451");
    // Virtualized: a screenful plus overscan, not all 200 rows.
    expect(screen.queryByTestId("row-150")).toBeNull();
  });

  it("says 'more than' when the server stopped counting, and pages on past that number", async () => {
    await openCustomers(fakeBackend({ total: 450, countLimit: 300 }));
    expect(screen.getByTestId("row-count")).toHaveTextContent("More than 300 rows · 200 loaded");
    // Not a total: the grid keeps asking for pages instead of ending at 300.
    expect(scroller()).toHaveAttribute("aria-rowcount", "-1");
    scrollToBottom();
    await waitFor(() => expect(screen.getByTestId("row-count")).toHaveTextContent("More than 300 rows · 400 loaded"));
    scrollToBottom();
    await waitFor(() => expect(screen.getByTestId("table-status")).toHaveTextContent("All rows loaded."));
    expect(screen.getByTestId("row-count").textContent).toBe("450 rows");
  });

  it("asks for the next page once per page while scrolling, and stops at the end", async () => {
    const { backend } = await openCustomers();
    expect(backend.of("more_rows")).toHaveLength(0);

    scrollToBottom();
    scrollToBottom(); // a second scroll event before the page arrives asks nothing more
    await waitFor(() => expect(screen.getByTestId("row-count")).toHaveTextContent("450 rows · 400 loaded"));
    expect(backend.of("more_rows")).toHaveLength(1);

    scrollToBottom();
    await waitFor(() => expect(screen.getByTestId("table-status")).toHaveTextContent("All rows loaded."));
    expect(screen.getByTestId("row-count").textContent).toBe("450 rows");
    expect(backend.of("more_rows")).toHaveLength(2);
    const handle = backend.of("open_table").length;
    expect(backend.of("more_rows")).toEqual([{ handle }, { handle }]);

    scrollToBottom();
    await act(async () => {});
    expect(backend.of("more_rows")).toHaveLength(2);
    expect(screen.getByTestId("row-449")).toBeInTheDocument();
  });

  it("holds only the rows around the viewport: the loaded ones are read from the backend in blocks", async () => {
    const { backend } = await openCustomers(fakeBackend({ total: 12000, serverPage: 1000 }));
    for (let loaded = 2000; loaded <= 12000; loaded += 1000) {
      scrollToBottom();
      const said = loaded < 12000 ? `12,000 rows · ${loaded.toLocaleString()} loaded` : "12,000 rows";
      await waitFor(() => expect(screen.getByTestId("row-count").textContent).toBe(said));
    }
    scrollToBottom();
    // The last rows show the backend's values, not placeholders.
    expect(await screen.findByTestId("row-11999")).toHaveTextContent("Customer 11999");
    const asked = backend.of("table_rows") as { start: number; end: number }[];
    expect(asked.every(({ start, end }) => end - start <= BLOCK && start % BLOCK === 0)).toBe(true);
    // Blocks near each of the 12 viewports visited only, not all 12,000 rows.
    expect(asked.reduce((n, { start, end }) => n + end - start, 0)).toBeLessThan(12000 / 2);

    // Back at the top, the first rows are read again (they were dropped).
    const before = asked.length;
    act(() => {
      scroller().scrollTop = 0;
      fireEvent.scroll(scroller());
    });
    expect(await screen.findByTestId("row-0")).toHaveTextContent("Customer 0");
    expect(backend.of("table_rows").slice(before)).toContainEqual({ handle: 1, start: 0, end: BLOCK });
  });

  it("sorts by a header: orderby changes and the old table is closed", async () => {
    const { user, backend } = await openCustomers();
    await user.click(within(screen.getByTestId("col-displayName")).getByRole("button"));
    await waitFor(() => expect(query(lastOpen(backend)).orderby).toEqual(["displayName asc"]));
    expect(screen.getByTestId("col-displayName")).toHaveAttribute("aria-sort", "ascending");
    await waitFor(() => expect(backend.of("close_table")).toEqual([{ handle: 1 }]));

    await screen.findByTestId("row-0");
    await user.click(within(screen.getByTestId("col-displayName")).getByRole("button"));
    await waitFor(() => expect(query(lastOpen(backend)).orderby).toEqual(["displayName desc"]));
    expect(screen.getByTestId("col-displayName")).toHaveAttribute("aria-sort", "descending");
  });

  it("changes $select with the column chooser", async () => {
    const { user, backend } = await openCustomers();
    await user.click(screen.getByTestId("columns-button"));
    const chooser = screen.getByTestId("column-chooser");
    await user.click(within(chooser).getByTestId("column-option-balance"));
    await user.click(within(chooser).getByTestId("column-option-picture"));
    await user.click(within(chooser).getByTestId("columns-apply"));
    await waitFor(() =>
      expect(query(lastOpen(backend)).select).toEqual(["id", "number", "displayName", "blocked", "taxLiable", "lastModifiedDateTime", "picture"]),
    );
    expect(screen.queryByTestId("column-chooser")).toBeNull();
    await screen.findByTestId("row-0");
    expect(screen.queryByTestId("col-balance")).toBeNull();
    expect(screen.getByTestId("col-picture")).toBeInTheDocument();
  });

  it("builds a filter from conditions, shows it in the raw box and applies it", async () => {
    const { user, backend } = await openCustomers();
    await user.click(screen.getByTestId("filter-button"));
    expect(screen.getByTestId("filter-builder")).toBeVisible();
    await user.click(screen.getByTestId("filter-add"));
    const row = screen.getByTestId("condition-0");
    await user.selectOptions(within(row).getByTestId("condition-column"), "blocked");
    await user.selectOptions(within(row).getByTestId("condition-operator"), "ne");
    await user.selectOptions(within(row).getByTestId("condition-value"), "All");
    await user.click(screen.getByTestId("filter-add"));
    const second = screen.getByTestId("condition-1");
    await user.selectOptions(within(second).getByTestId("condition-column"), "displayName");
    await user.selectOptions(within(second).getByTestId("condition-operator"), "startswith");
    await user.type(within(second).getByTestId("condition-value"), "O'B");
    const raw = screen.getByTestId("filter-raw");
    expect(raw).toHaveValue("blocked ne 'All' and startswith(displayName,'O''B')");

    // Applied, the builder folds into one line that reads with labels, and
    // the focus moves to its Edit button.
    await user.click(screen.getByTestId("filter-apply"));
    await waitFor(() => expect(query(lastOpen(backend)).filter).toBe("blocked ne 'All' and startswith(displayName,'O''B')"));
    expect(screen.getByTestId("filter-button")).toHaveTextContent("on");
    expect(screen.getByTestId("filter-builder")).not.toBeVisible();
    expect(screen.getByTestId("filter-summary")).toHaveTextContent("Filtered: Blocked is not All and Display name starts with “O'B”");
    expect(screen.getByTestId("filter-edit")).toHaveFocus();

    // Edit opens the builder again, the focus in it; a hand-written filter
    // the summary cannot read shows as the expression.
    await user.click(screen.getByTestId("filter-edit"));
    expect(screen.getByTestId("filter-builder")).toBeVisible();
    expect(screen.queryByTestId("filter-summary")).toBeNull();
    expect(within(screen.getByTestId("condition-0")).getByTestId("condition-column")).toHaveFocus();
    await user.clear(raw);
    await user.type(raw, "balance gt 100 or taxLiable eq true");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(query(lastOpen(backend)).filter).toBe("balance gt 100 or taxLiable eq true"));
    expect(screen.getByTestId("filter-summary")).toHaveTextContent("Filtered: balance gt 100 or taxLiable eq true");

    await user.click(screen.getByTestId("filter-edit"));
    await user.click(screen.getByTestId("filter-clear"));
    await waitFor(() => expect(query(lastOpen(backend)).filter).toBeNull());
    expect(screen.getByTestId("filter-builder")).toBeVisible();
    expect(screen.queryByTestId("filter-summary")).toBeNull();
  });

  it("tells the user what is wrong with a value", async () => {
    const { user } = await openCustomers();
    await user.click(screen.getByTestId("filter-button"));
    await user.click(screen.getByTestId("filter-add"));
    const row = screen.getByTestId("condition-0");
    await user.selectOptions(within(row).getByTestId("condition-column"), "balance");
    await user.type(within(row).getByTestId("condition-value"), "lots");
    expect(row).toHaveTextContent("Enter a number with a dot for decimals, like 1234.56.");
    expect(within(row).getByTestId("condition-value")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("filter-raw")).toHaveValue("");
  });

  it("shows the error panel when the table cannot open, and opens it again", async () => {
    fakeBackend({ fail: { open_table: problem("BadQuery", "The service did not understand the filter.") } });
    const user = userEvent.setup();
    render(<Browse connection="Contoso" />);
    await user.click(await screen.findByTestId("entity-customers"));
    const error = await screen.findByTestId("table-error");
    expect(within(error).getByRole("alert")).toHaveTextContent("The service did not understand the filter.");
    const backend = fakeBackend();
    await user.click(within(error).getByRole("button", { name: "Try again" }));
    await screen.findByTestId("row-0");
    expect(backend.of("open_table")).toHaveLength(1);
  });

  it("offers a way back from a sort the service refuses", async () => {
    const { user } = await openCustomers();
    fakeBackend({ fail: { open_table: problem("BadQuery", "This column cannot be sorted.") } });
    await user.click(within(screen.getByTestId("col-balance")).getByRole("button"));
    expect(await screen.findByTestId("table-error")).toHaveTextContent("This column cannot be sorted.");
    const backend = fakeBackend();
    await user.click(screen.getByTestId("reset-query"));
    await screen.findByTestId("row-0");
    expect(query(lastOpen(backend))).toMatchObject({ orderby: [], filter: null });
  });

  it("shows the error panel when a page fails, and retries that page", async () => {
    const backend = fakeBackend({ fail: { more_rows: problem("Throttled", "Microsoft is busy.") } });
    const { user } = await openCustomers(backend);
    scrollToBottom();
    const error = await screen.findByTestId("more-error");
    expect(error).toHaveTextContent("Microsoft is busy.");
    backend.heal("more_rows");
    await user.click(within(error).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getByTestId("row-count")).toHaveTextContent("400 loaded"));
    expect(screen.queryByTestId("more-error")).toBeNull();
    expect(backend.of("more_rows")).toHaveLength(2);
  });

  it("shows the error panel when the columns cannot be read", async () => {
    fakeBackend({ fail: { entity_columns: problem("PermissionDenied", "You may not read customers.") } });
    const user = userEvent.setup();
    render(<Browse connection="Contoso" />);
    await user.click(await screen.findByTestId("entity-customers"));
    expect(await screen.findByTestId("columns-error")).toHaveTextContent("You may not read customers.");
  });

  it("hides the entity list to give the grid the width, and shows it again", async () => {
    const { user } = await openCustomers();
    const toggle = screen.getByTestId("entity-list-toggle");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByTestId("entity-search")).not.toBeVisible();
    await user.click(toggle);
    expect(screen.getByTestId("entity-search")).toBeVisible();
  });

  it("moves through rows with the keyboard and opens one with Enter", async () => {
    const { user } = await openCustomers();
    act(() => scroller().focus());
    expect(scroller()).toHaveAttribute("aria-activedescendant", screen.getByTestId("row-0").id);
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowUp}");
    expect(scroller()).toHaveAttribute("aria-activedescendant", screen.getByTestId("row-1").id);
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("record-panel")).toHaveTextContent("Row 2");
  });
});

describe("the record panel", () => {
  it("shows every field with its label, formatted and raw value, and copies the row as JSON", async () => {
    const { user } = await openCustomers();
    await user.click(within(screen.getByTestId("row-3")).getAllByRole("gridcell")[2]);
    const panel = screen.getByTestId("record-panel");
    expect(panel).toHaveTextContent("Row 4");
    expect(screen.getByTestId("row-3")).toHaveAttribute("aria-selected", "true");
    const field = (label: string) => within(panel).getByText(label).closest(".record-field")!;
    expect(field("Display name")).toHaveTextContent("Customer 3");
    expect(field("Display name")).toHaveTextContent('"Customer 3"');
    expect(field("Blocked")).toHaveTextContent("Ship");
    expect(field("Tax liable")).toHaveTextContent("Yes");
    expect(field("Tax liable")).toHaveTextContent("true");
    expect(field("@odata.etag")).toHaveTextContent('W/"3"');

    await user.click(within(panel).getByTestId("copy-json"));
    expect(JSON.parse(await navigator.clipboard.readText())).toEqual(customerRow(3));
    expect(within(panel).getByTestId("copy-status")).toHaveTextContent("Copied");

    // Another row starts without the last copy's status.
    await user.click(within(screen.getByTestId("row-5")).getAllByRole("gridcell")[2]);
    expect(panel).toHaveTextContent("Row 6");
    expect(within(panel).getByTestId("copy-status")).toBeEmptyDOMElement();

    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("record-panel")).toBeNull();
    expect(scroller()).toHaveFocus();
  });
});

describe("the export", () => {
  const deferred = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it("shows progress, Microsoft's wait and the exact row count at the end", async () => {
    const done = deferred();
    let send: (event: ExportProgress) => void = () => {};
    const backend = fakeBackend({
      savePath: "/tmp/customers.jsonl",
      exportTable: (_args, s) => {
        send = s;
        return done.promise;
      },
    });
    const { user } = await openCustomers(backend);
    await user.click(screen.getByTestId("export-button"));
    await user.click(screen.getByTestId("export-format-JsonLines"));
    await user.click(screen.getByTestId("export-start"));

    // The backend's save dialog suggests the name for what is exported.
    expect(backend.of("choose_save_path")).toEqual([{ target: { kind: "Export", connection: "Contoso", entity: "customers", format: "JsonLines" } }]);
    const args = backend.of("export_table")[0];
    expect(args).toMatchObject({ name: "Contoso", entity: "customers", format: "JsonLines", path: "/tmp/customers.jsonl" });
    expect(query(args)).toEqual({ ...query(lastOpen(backend)), count: false });
    expect(String(args.operation)).not.toBe("");

    act(() => send({ event: "Page", rows: 200, pages: 1 }));
    expect(screen.getByTestId("export-progress")).toHaveTextContent("200 of about 450 rows written · 1 page");
    act(() => send({ event: "Waiting", millis: 4200, throttled: true }));
    expect(screen.getByTestId("export-progress")).toHaveTextContent("Microsoft asked us to wait 5 s");
    act(() => send({ event: "Page", rows: 450, pages: 3 }));
    expect(screen.getByTestId("export-progress")).not.toHaveTextContent("wait");

    await act(async () => done.resolve({ rows: 450, pages: 3, path: "/tmp/customers.jsonl" }));
    expect(screen.getByTestId("export-result")).toHaveTextContent("Exported 450 rows in 3 pages to /tmp/customers.jsonl.");
    await user.click(screen.getByTestId("export-close"));
    expect(screen.queryByTestId("export-dialog")).toBeNull();
    expect(screen.getByTestId("export-button")).toHaveFocus();
  });

  it("asks where to save with the save dialog; cancelling it changes nothing", async () => {
    const backend = fakeBackend({ savePath: null });
    const { user } = await openCustomers(backend);
    await user.click(screen.getByTestId("export-button"));
    const start = screen.getByTestId("export-start");
    expect(start).toHaveFocus();
    expect(start).toHaveAccessibleName("Export…");
    expect(start).toHaveAccessibleDescription("Next, you choose the folder and the file name.");
    await user.click(start);
    expect(backend.of("choose_save_path")).toEqual([{ target: { kind: "Export", connection: "Contoso", entity: "customers", format: "Csv" } }]);
    expect(backend.of("export_table")).toEqual([]);
    expect(screen.queryByTestId("export-progress")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(start).toBeEnabled();
    expect(start).toHaveTextContent("Export…");
  });

  it("offers Open and Show in folder for the exported file, by the keyboard too", async () => {
    const path = "/home/me/Documents/Contoso - customers - 2026-12-05.csv";
    const backend = fakeBackend({ savePath: path });
    const { user } = await openCustomers(backend);
    await user.click(screen.getByTestId("export-button"));
    await user.click(screen.getByTestId("export-start"));
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent(`Exported 450 rows in 3 pages to ${path}.`);
    expect(screen.getByTestId("export-close")).toHaveFocus();

    await user.tab({ shift: true });
    const show = within(result).getByRole("button", { name: "Show in folder" });
    expect(show).toHaveFocus();
    expect(show).toHaveAccessibleDescription(path);
    await user.keyboard("{Enter}");
    expect(backend.of("show_saved_file")).toEqual([{ path }]);
    await user.tab({ shift: true });
    expect(within(result).getByRole("button", { name: "Open" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(backend.of("open_saved_file")).toEqual([{ path }]);

    // Cancelling the dialog of a second export keeps the first's result.
    backend.answerSaveDialog(null);
    await user.click(screen.getByTestId("export-start"));
    expect(backend.of("choose_save_path")).toHaveLength(2);
    expect(backend.of("export_table")).toHaveLength(1);
    expect(screen.getByTestId("export-result")).toHaveTextContent(path);
  });

  it("says what to do when the file cannot be opened", async () => {
    const backend = fakeBackend({ fail: { open_saved_file: problem("DesktopUnavailable", "No program on this computer opened x.csv.") } });
    const { user } = await openCustomers(backend);
    await user.click(screen.getByTestId("export-button"));
    await user.click(screen.getByTestId("export-start"));
    await user.click(await screen.findByTestId("open-saved-file"));
    expect(within(screen.getByTestId("export-result")).getByRole("alert")).toHaveTextContent("No program on this computer opened x.csv.");
  });

  it("cancels: the operation is stopped and no file is promised", async () => {
    const done = deferred();
    const backend = fakeBackend({ exportTable: () => done.promise });
    const { user } = await openCustomers(backend);
    await user.click(screen.getByTestId("export-button"));
    await user.click(screen.getByTestId("export-start"));
    await user.click(screen.getByTestId("export-cancel"));
    const operation = backend.of("export_table")[0].operation;
    expect(backend.of("cancel_operation")).toEqual([{ operation }]);
    expect(screen.getByTestId("export-cancel")).toBeDisabled();
    await act(async () => done.reject(problem("Cancelled", "The export was cancelled.")));
    expect(screen.getByTestId("export-result")).toHaveTextContent("Export cancelled. No file was written.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows the error panel when the export fails", async () => {
    const { user } = await openCustomers(
      fakeBackend({
        exportTable: () => {
          throw problem("ExportFailed", "The file could not be written.");
        },
      }),
    );
    await user.click(screen.getByTestId("export-button"));
    await user.click(screen.getByTestId("export-start"));
    expect(await within(screen.getByTestId("export-dialog")).findByRole("alert")).toHaveTextContent("The file could not be written.");
    expect(screen.getByTestId("export-start")).toHaveTextContent("Try again");
  });
});
