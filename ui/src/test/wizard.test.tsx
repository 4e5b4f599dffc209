import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { STEPS } from "../wizard/steps";

const SECRET_SERVICE = { backend: "SecretService", persistent: true, label: "Secret Service (GNOME Keyring or KWallet)", advice: null };

function backend(status: unknown = SECRET_SERVICE) {
  mockIPC((cmd) => {
    if (cmd === "app_info") return { name: "d365-connect", version: "0.1.0" };
    if (cmd === "secret_store_status") {
      if (status instanceof Error) throw { kind: "SecretStoreFailure", message: "The store refused.", fix: "Unlock your keychain.", details: status.message };
      return status;
    }
    throw `unexpected command ${cmd}`;
  });
}

const current = () => screen.getByRole("navigation", { name: "Setup steps" }).querySelector('[aria-current="step"]');
const title = () => screen.getByTestId("step-title").textContent;

describe("the wizard frame", () => {
  beforeEach(() => backend());

  it("lists the eight steps in order and starts on the first", () => {
    render(<App />);
    const nav = screen.getByRole("navigation", { name: "Setup steps" });
    const ids = within(nav)
      .getAllByRole("button")
      .map((b) => b.dataset.step);
    expect(ids).toEqual(STEPS.map((s) => s.id));
    expect(current()?.getAttribute("data-step")).toBe("product");
    expect(screen.getByTestId("back")).toBeDisabled();
  });

  it("marks the document ready once the first frame is painted", async () => {
    render(<App />);
    await waitFor(() => expect(document.documentElement.dataset.ready).toBe("true"));
  });

  it("walks forward with Next and back with Back, the highlight following", async () => {
    const user = userEvent.setup();
    render(<App />);
    for (const [i, step] of STEPS.entries()) {
      expect(title()).toBe(step.title);
      expect(current()?.getAttribute("data-step")).toBe(step.id);
      expect(screen.getByTestId("announcer")).toHaveTextContent(`Step ${i + 1} of 8: ${step.title}`);
      if (i < STEPS.length - 1) await user.click(screen.getByTestId("next"));
    }
    expect(screen.getByTestId("next")).toBeDisabled();
    expect(screen.getByTestId("next")).toHaveTextContent("Finish");
    for (const step of [...STEPS].reverse().slice(1)) {
      await user.click(screen.getByTestId("back"));
      expect(current()?.getAttribute("data-step")).toBe(step.id);
    }
    expect(screen.getByTestId("back")).toBeDisabled();
  });

  it("marks visited steps as done and moves focus to the new title", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("next"));
    expect(screen.getByTestId("step-title")).toHaveFocus();
    const product = document.querySelector('[data-step="product"]');
    expect(product?.getAttribute("data-state")).toBe("done");
    expect(document.querySelector('[data-step="check"]')?.getAttribute("data-state")).toBe("upcoming");
  });

  it("jumps to a step when it is clicked", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByRole("button", { name: /Browse/ }));
    expect(title()).toBe("Browse");
  });

  it("goes forward and back with Alt+Right and Alt+Left", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.keyboard("{Alt>}{ArrowRight}{ArrowRight}{/Alt}");
    expect(title()).toBe("Credentials");
    await user.keyboard("{Alt>}{ArrowLeft}{/Alt}");
    expect(title()).toBe("Register app");
    await user.keyboard("{ArrowRight}");
    expect(title()).toBe("Register app");
  });

  it("moves focus within the step list with the arrow keys and opens with Enter", async () => {
    const user = userEvent.setup();
    render(<App />);
    const first = document.querySelector<HTMLButtonElement>('[data-step="product"]');
    first?.focus();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(document.activeElement?.getAttribute("data-step")).toBe("credentials");
    await user.keyboard("{End}");
    expect(document.activeElement?.getAttribute("data-step")).toBe("check");
    await user.keyboard("{ArrowDown}");
    expect(document.activeElement?.getAttribute("data-step")).toBe("product");
    await user.keyboard("{ArrowUp}{Enter}");
    expect(title()).toBe("Check");
  });

  it("shows the app version from the backend", async () => {
    render(<App />);
    expect(await screen.findByText("Version 0.1.0")).toBeInTheDocument();
  });
});

describe("the Credentials step's secret store card", () => {
  async function openCredentials() {
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByRole("button", { name: /Credentials/ }));
  }

  it("shows the system keychain when the Secret Service answers", async () => {
    backend();
    await openCredentials();
    const card = screen.getByTestId("secret-store-status");
    await waitFor(() => expect(card).toHaveAttribute("data-backend", "SecretService"));
    expect(card).toHaveTextContent("Secret Service (GNOME Keyring or KWallet)");
    expect(card).toHaveTextContent("remembered next time");
    expect(within(card).queryByRole("status")).toBeNull();
  });

  it("warns when secrets can only be kept in memory", async () => {
    backend({ backend: "MemoryOnly", persistent: false, label: "Memory only (no secret store found)", advice: "Kept in memory for this session only." });
    await openCredentials();
    const card = screen.getByTestId("secret-store-status");
    await waitFor(() => expect(card).toHaveAttribute("data-backend", "MemoryOnly"));
    expect(within(card).getByRole("status")).toHaveTextContent("Kept in memory for this session only.");
  });

  it("shows the error panel with message, fix and details when the command fails", async () => {
    backend(new Error("org.freedesktop.Secret.Error.IsLocked"));
    await openCredentials();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The store refused.");
    expect(alert).toHaveTextContent("What to do: Unlock your keychain.");
    expect(within(alert).getByText("Details")).toBeInTheDocument();
    expect(alert).toHaveTextContent("org.freedesktop.Secret.Error.IsLocked");
    expect(within(alert).getByRole("button", { name: "Copy details" })).toBeInTheDocument();
  });
});

describe("the theme switch", () => {
  beforeEach(() => backend());

  it("applies and remembers the choice", async () => {
    const user = userEvent.setup();
    const { unmount } = render(<App />);
    await user.click(screen.getByRole("radio", { name: "Dark" }));
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(localStorage.getItem("d365.theme")).toBe("dark");
    unmount();
    render(<App />);
    expect(screen.getByRole("radio", { name: "Dark" })).toHaveAttribute("aria-checked", "true");
    await user.click(screen.getByRole("radio", { name: "System" }));
    expect(localStorage.getItem("d365.theme")).toBeNull();
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});
