import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import type { About } from "../bindings/About";
import { AboutDialog } from "./AboutDialog";

const ABOUT: About = {
  name: "D365 Connect",
  version: "0.1.0",
  licence: "MIT",
  proxy: {
    variables: [
      { name: "HTTPS_PROXY", value: "http://alice:••••••@proxy.example:3128", ignored: null },
      { name: "https_proxy", value: "http://other:3128", ignored: "Not used: HTTPS_PROXY is set too." },
      { name: "NO_PROXY", value: "127.0.0.1,localhost", ignored: null },
    ],
    https: "proxy.example:3128",
    http: null,
    bypass: ["127.0.0.1", "localhost"],
    summary: "Requests to Microsoft go through the proxy proxy.example:3128. Requests to 127.0.0.1 and localhost go directly.",
  },
  log_file: "/home/ann/.local/share/com.d365connect.app/logs/d365-connect.log",
  log_problem: null,
  licences: {
    rust: [
      { name: "tauri", version: "2.12.5", licence: "Apache-2.0 OR MIT" },
      { name: "ring", version: "0.17.14", licence: "Apache-2.0 AND ISC" },
    ],
    npm: [{ name: "react", version: "19.3.1", licence: "MIT" }],
  },
};

type Handler = (args: Record<string, unknown>) => unknown;

function backend(overrides: Record<string, Handler> = {}) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  const handlers: Record<string, Handler> = { about: () => ABOUT, ...overrides };
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    const handler = handlers[cmd];
    if (!handler) throw `unexpected command ${cmd}`;
    return handler((args ?? {}) as Record<string, unknown>);
  });
  return calls;
}

async function open(onClose: () => void = () => undefined) {
  const user = userEvent.setup();
  render(<AboutDialog onClose={onClose} />);
  await screen.findByText("Version 0.1.0 · MIT licence");
  return user;
}

describe("the About box", () => {
  it("is a labelled dialog that starts on the proxy the app uses, focused on its tab", async () => {
    backend();
    await open();
    const dialog = screen.getByRole("dialog", { name: "D365 Connect" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(screen.getByRole("tab", { name: "Network" })).toHaveFocus();
    expect(screen.getByTestId("proxy-summary")).toHaveTextContent("go through the proxy proxy.example:3128");
    expect(within(screen.getByTestId("proxy-variables")).getByText("Not used: HTTPS_PROXY is set too.")).toBeInTheDocument();
  });

  it("moves between tabs with the arrow keys and closes with Escape", async () => {
    backend();
    let closed = 0;
    const user = await open(() => {
      closed++;
    });
    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Support log" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tab", { name: "Support log" })).toHaveFocus();
    expect(screen.getByTestId("about-panel-log")).toBeVisible();
    await user.keyboard("{End}");
    expect(screen.getByTestId("about-panel-licences")).toBeVisible();
    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Network" })).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Escape}");
    expect(closed).toBe(1);
  });

  it("finds packages by name or licence", async () => {
    backend();
    const user = await open();
    await user.click(screen.getByRole("tab", { name: "Licences" }));
    expect(screen.getByTestId("licence-count")).toHaveTextContent("3 packages.");
    await user.type(screen.getByLabelText("Find a package or a licence"), "isc");
    expect(screen.getByTestId("licence-count")).toHaveTextContent("1 of 3 packages match.");
    expect(within(screen.getByTestId("licences-rust")).getByText("ring")).toBeInTheDocument();
    expect(screen.queryByTestId("licences-npm")).toBeNull();
  });

  it("saves a copy of the log where the save dialog says, and a cancelled dialog changes nothing", async () => {
    let chosen: string | null = null;
    const calls = backend({
      choose_save_path: () => chosen,
      save_log_copy: () => null,
    });
    const user = await open();
    await user.click(screen.getByRole("tab", { name: "Support log" }));
    expect(within(screen.getByTestId("log-file")).getByTestId("saved-path")).toHaveTextContent(ABOUT.log_file ?? "");
    expect(screen.getByRole("button", { name: /Open the log/ })).toBeInTheDocument();

    await user.click(screen.getByTestId("save-log-copy"));
    await waitFor(() => expect(screen.getByTestId("save-log-copy")).toBeEnabled());
    expect(calls.filter((c) => c.cmd === "save_log_copy")).toHaveLength(0);
    expect(screen.queryByTestId("log-copy-saved")).toBeNull();

    chosen = "/home/ann/Documents/D365 Connect - log - 2026-12-05.log";
    await user.click(screen.getByTestId("save-log-copy"));
    expect(await screen.findByTestId("log-copy-saved")).toHaveTextContent(`Saved a copy of the log to ${chosen}`);
    expect(calls.find((c) => c.cmd === "choose_save_path")?.args).toEqual({ target: { kind: "Log" } });
    expect(calls.find((c) => c.cmd === "save_log_copy")?.args).toEqual({ path: chosen });
  });

  it("says why there is no log, and what to do", async () => {
    backend({
      about: () => ({
        ...ABOUT,
        log_file: null,
        log_problem: { kind: "Internal", message: "D365 Connect could not write its log in /x.", fix: "Check that your user may write to that folder.", details: null, setting: null },
      }),
    });
    const user = await open();
    await user.click(screen.getByRole("tab", { name: "Support log" }));
    expect(screen.getByRole("alert")).toHaveTextContent("could not write its log");
    expect(screen.queryByTestId("save-log-copy")).toBeNull();
  });
});
