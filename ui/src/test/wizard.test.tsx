import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { STEPS } from "../wizard/steps";

const SECRET_SERVICE = { backend: "SecretService", persistent: true, label: "Secret Service (GNOME Keyring or KWallet)", advice: null };
const PROFILE = {
  name: "Contoso BC",
  product: "BusinessCentral",
  cloud: { kind: "Public" },
  tenant: "contoso.onmicrosoft.com",
  client_id: "3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40",
  registration: "BackgroundService",
  scopes: [],
  environment: "Production",
  company: null,
  network: { long_timeout: false, retry_failed: true },
};
const SANDBOX = {
  cloud: { kind: "Custom", custom: { authority: "http://127.0.0.1:9/entra", bc_api: "http://127.0.0.1:9/bc", fno_url: null, dataverse_url: null, globaldisco: "http://127.0.0.1:9/globaldisco", bc_resource: null } },
  tenant: "7c2f5e1a-0d3b-4c8e-9a61-c5e0a1b2c3d4",
  client_id: "3e9d4b6a-8f21-4d57-b0c3-5a7e9f1d2c40",
  client_secret: "demo",
  public_client_id: null,
  bc_environment: "Production",
  fno_url: null,
  dataverse_url: null,
  user: "admin@cronus-demo.onmicrosoft.com",
  password: "Cronus-Demo-1",
};
const TOKEN = {
  claims: { aud: "https://api.businesscentral.dynamics.com", tid: SANDBOX.tenant, appid: SANDBOX.client_id, scp: null, roles: ["API.ReadWrite.All"], exp: 4102444800, upn: null },
  verdict: { usable: true, summary: "This token can call Business Central.", problems: [], notes: [], missing_permissions: false },
};

type Handler = (args: Record<string, unknown>) => unknown;

/** The backend as the tests want it; unknown commands fail the test loudly. */
function backend(overrides: Record<string, Handler> = {}) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  const handlers: Record<string, Handler> = {
    app_info: () => ({ name: "d365-connect", version: "0.1.0" }),
    secret_store_status: () => SECRET_SERVICE,
    list_profiles: () => [{ name: PROFILE.name, profile: PROFILE, problem: null }],
    registration_guide: () => [
      { title: "Register the app in Microsoft Entra", actions: ["Select “+ New registration”."], open: "https://entra.microsoft.com/x", copy: [{ label: "Redirect URI", value: "http://localhost" }] },
    ],
    setup_defaults: () => ({ app_name: "D365 Connect - BC (background service)", setup_client_id: "14d82eec-204b-4c2f-b7e8-296a70dab67e", unavailable: null }),
    permissions: () => [{ name: "Financials.ReadWrite.All", id: "x", access: "Delegated", plain: "Read and change data.", default: true }],
    check_tenant: (a) => ({ value: String(a.raw).trim(), notices: [] }),
    check_client_id: (a) => ({ value: String(a.raw).trim(), notices: [] }),
    check_secret: () => [],
    start_sandbox: () => SANDBOX,
    save_profile: () => null,
    token_info: () => TOKEN,
    ...overrides,
  };
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    const handler = handlers[cmd];
    if (!handler) throw `unexpected command ${cmd}`;
    return handler((args ?? {}) as Record<string, unknown>);
  });
  return calls;
}

const current = () => screen.getByRole("navigation", { name: "Setup steps" }).querySelector('[aria-current="step"]');
const title = () => screen.getByTestId("step-title").textContent;
const stepButton = (id: string) => document.querySelector<HTMLButtonElement>(`[data-step="${id}"]`) as HTMLButtonElement;

async function startNew() {
  const user = userEvent.setup();
  render(<App />);
  await user.click(screen.getByTestId("new-connection"));
  return user;
}

describe("the About box", () => {
  it("opens from the header on the start page and in the wizard, and gives the focus back", async () => {
    const about = {
      name: "D365 Connect",
      version: "0.1.0",
      licence: "MIT",
      proxy: { variables: [], https: null, http: null, bypass: [], summary: "No proxy: D365 Connect connects directly." },
      log_file: null,
      log_problem: null,
      licences: { rust: [], npm: [] },
    };
    backend({ about: () => about });
    const user = await startNew();
    for (const where of ["wizard", "start page"]) {
      if (where === "start page") await user.click(screen.getByRole("button", { name: /back to the start page/ }));
      const button = screen.getByTestId("about-button");
      await user.click(button);
      expect(await screen.findByTestId("proxy-summary")).toHaveTextContent("No proxy");
      await user.keyboard("{Escape}");
      expect(screen.queryByRole("dialog")).toBeNull();
      expect(button).toHaveFocus();
    }
  });
});

describe("the start page", () => {
  beforeEach(() => backend());

  it("comes first, lists the saved connections and marks the document ready", async () => {
    render(<App />);
    expect(screen.getByTestId("start-page")).toBeInTheDocument();
    expect(await screen.findByText("Contoso BC")).toBeInTheDocument();
    await waitFor(() => expect(document.documentElement.dataset.ready).toBe("true"));
  });

  it("says when each connection was last checked, and checks them all with a line each as it finishes", async () => {
    const fabrikam = { ...PROFILE, name: "Fabrikam DV", product: "Dataverse", environment: null };
    const warned = { at: "2026-12-04T08:30:00Z", verdict: "warnings", passed: 15, warnings: 1, failed: 0, skipped: 0 };
    let release: () => void = () => {};
    backend({
      list_profiles: () => [
        { name: PROFILE.name, profile: PROFILE, problem: null, last_check: warned },
        { name: fabrikam.name, profile: fabrikam, problem: null, last_check: null },
      ],
      check_all: (a) =>
        new Promise((resolve) => {
          const row = a.onRow as { onmessage: (m: unknown) => void };
          row.onmessage({ name: PROFILE.name, last_check: { ...warned, verdict: "passed", passed: 16, warnings: 0 }, problem: null });
          release = () => {
            row.onmessage({ name: fabrikam.name, last_check: null, problem: { kind: "SecretNotFound", message: "No secret is saved.", fix: "Save it again.", details: null, setting: null } });
            resolve("2 connections: 1 passed, 1 could not be checked");
          };
        }),
    });
    const user = userEvent.setup();
    render(<App />);
    const contoso = await screen.findByTestId("profile-Contoso BC");
    expect(contoso).toHaveTextContent("Business Central · Production · contoso.onmicrosoft.com");
    expect(within(contoso).getByText(/^Checked .*: 1 warning · 15 passed$/)).toHaveAttribute("data-state", "warn");
    const other = screen.getByTestId("profile-Fabrikam DV");
    expect(other).toHaveTextContent("no environment yet");
    expect(other).toHaveTextContent("Not checked yet");

    await user.click(screen.getByTestId("check-all"));
    expect(screen.getByTestId("check-all")).toBeDisabled();
    expect(await within(contoso).findByText(/All 16 checks passed/)).toBeInTheDocument();
    expect(other).toHaveTextContent("Checking…");
    act(() => release());
    expect(await within(other).findByText(/Could not check: No secret is saved\./)).toHaveAttribute("data-state", "bad");
    expect(await screen.findByTestId("fleet-summary")).toHaveTextContent("Checked 2 connections: 1 passed, 1 could not be checked.");
  });

  it("duplicates a connection under a name it suggests, which is a valid name", async () => {
    const calls = backend({ duplicate_profile: () => null });
    const user = userEvent.setup();
    render(<App />);
    const contoso = await screen.findByTestId("profile-Contoso BC");
    await user.click(within(contoso).getByTestId("duplicate-profile"));
    const name = within(contoso).getByLabelText("New name");
    expect(name).toHaveFocus();
    // Letters, digits, spaces, dots, dashes and underscores: the core's rule.
    expect(name).toHaveValue("Contoso BC copy");
    await user.keyboard("{Enter}");
    expect(calls.filter((c) => c.cmd === "duplicate_profile").map((c) => c.args)).toEqual([{ from: "Contoso BC", to: "Contoso BC copy" }]);
  });

  it("offers the report of every connection once Check all has run, saved through the save dialog", async () => {
    const path = "/home/me/Documents/All connections - check report - 2026-12-05.md";
    const calls = backend({
      list_profiles: () => [
        { name: PROFILE.name, profile: PROFILE, problem: null, last_check: null },
        { name: "Fabrikam DV", profile: { ...PROFILE, name: "Fabrikam DV" }, problem: null, last_check: null },
      ],
      check_all: () => "2 connections: 2 passed",
      choose_save_path: () => path,
      save_fleet_report: () => null,
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("profile-Contoso BC");
    expect(screen.queryByTestId("fleet-report")).toBeNull();
    await user.click(screen.getByTestId("check-all"));
    const report = await screen.findByTestId("fleet-report");
    await user.selectOptions(within(report).getByTestId("report-format"), "Markdown");
    await user.click(within(report).getByRole("button", { name: "Save report…" }));
    const args = (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args);
    expect(args("choose_save_path")).toEqual([{ target: { kind: "FleetReport", format: "Markdown" } }]);
    expect(args("save_fleet_report")).toEqual([{ format: "Markdown", path }]);
    expect(await within(report).findByTestId("report-saved")).toHaveTextContent(`Saved to ${path}.`);
  });

  it("opens a saved connection on its Connect step", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("open-profile"));
    expect(title()).toBe("Connect");
  });

  it("asks before deleting a connection", async () => {
    const calls = backend({ delete_profile: () => null });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("delete-profile"));
    expect(calls.some((c) => c.cmd === "delete_profile")).toBe(false);
    await user.click(screen.getByTestId("confirm-delete"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "delete_profile" && c.args.name === "Contoso BC")).toBe(true));
  });

  it("says when a saved connection's secret expires, as a warning from 30 days before", async () => {
    const calls = backend({
      list_profiles: () => [
        { name: PROFILE.name, profile: { ...PROFILE, secret: { key_id: null, hint: null, expires_on: "2027-06-01" } }, problem: null },
        { name: "Public app", profile: { ...PROFILE, name: "Public app", registration: "SignInWithoutSecret", secret: { key_id: null, hint: null, expires_on: "2027-06-01" } }, problem: null },
      ],
      secret_expiry: (a) => ({ expires_on: (a.credential as { expires_on: string }).expires_on, days_left: 10, state: "ExpiringSoon" }),
    });
    render(<App />);
    const row = await screen.findByTestId("profile-Contoso BC");
    const line = await within(row).findByTestId("secret-expiry");
    expect(line).toHaveTextContent(/^Secret expires in 10 days \(.*2027\)$/);
    expect(line).toHaveClass("soon");
    expect(calls.find((c) => c.cmd === "secret_expiry")?.args.credential).toMatchObject({ expires_on: "2027-06-01" });
    // An app without a secret has no secret to expire.
    expect(within(screen.getByTestId("profile-Public app")).queryByTestId("secret-expiry")).toBeNull();
  });

  it("replaces an expiring secret from the start page: the administrator signs in, the new secret is proven, the old one removed", async () => {
    const soon = { key_id: "0f6c2b1e-7d4a-4b8f-9c3e-2a1d5e6f7a8b", hint: "Cr8", expires_on: "2027-06-01" };
    const renewed = { key_id: "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", hint: "Xy7", expires_on: "2027-11-20" };
    let secret = soon;
    const calls = backend({
      list_profiles: () => [{ name: PROFILE.name, profile: { ...PROFILE, secret }, problem: null }],
      secret_expiry: (a) => {
        const on = (a.credential as { expires_on: string }).expires_on;
        return on === soon.expires_on ? { expires_on: on, days_left: 10, state: "ExpiringSoon" } : { expires_on: on, days_left: 180, state: "Fine" };
      },
      setup_sign_in_info: (a) => ({
        client_id: a.setupClientId,
        app_name: "Microsoft Graph Command Line Tools",
        why: `For ${String(a.task)}.`,
        roles: ["Cloud Application Administrator"],
        permissions: ["Application.ReadWrite.All"],
      }),
      replace_secret: (a) => {
        const sent = (channel: unknown, message: unknown) => (channel as { onmessage: (m: unknown) => void }).onmessage(message);
        sent(a.onSignIn, { stage: "BrowserOpened", url: null });
        sent(a.onProgress, { step: "Secret", state: "Waiting", detail: "Microsoft Entra is still copying the change to all its servers; trying again in 1 s." });
        sent(a.onProgress, { step: "Secret", state: "Done", detail: "The new secret works and is in your keychain." });
        secret = renewed;
        return { profile: { ...PROFILE, secret: renewed }, old_removed: true };
      },
    });
    const user = userEvent.setup();
    render(<App />);
    const row = await screen.findByTestId("profile-Contoso BC");
    await user.click(await within(row).findByTestId("replace-secret-offer"));

    const panel = screen.getByTestId("replace-secret");
    expect(await within(panel).findByTestId("setup-sign-in-info")).toHaveTextContent("For ReplaceSecret.");
    expect(within(within(panel).getByTestId("secret-months-12")).getByRole("radio")).toBeChecked();
    await user.click(within(within(panel).getByTestId("secret-months-6")).getByRole("radio"));
    await user.click(within(panel).getByTestId("replace-secret-start"));

    expect(await within(panel).findByTestId("replace-secret-done")).toHaveTextContent("The old secret was removed from the app.");
    expect(within(panel).queryByTestId("setup-progress")).toBeNull();
    expect(calls.find((c) => c.cmd === "replace_secret")?.args).toMatchObject({
      name: "Contoso BC",
      secretMonths: 6,
      setupClientId: "14d82eec-204b-4c2f-b7e8-296a70dab67e",
    });
    // The list shows the new secret's date, and no longer offers to replace it.
    await waitFor(() => expect(within(screen.getByTestId("profile-Contoso BC")).getByTestId("secret-expiry")).toHaveTextContent("Secret expires in 180 days"));
    expect(within(screen.getByTestId("profile-Contoso BC")).queryByTestId("replace-secret-offer")).toBeNull();
    await user.click(within(panel).getByTestId("replace-secret-close"));
    expect(screen.queryByTestId("replace-secret")).toBeNull();
  });

  it("says plainly when the replacement failed, and offers to try again", async () => {
    backend({
      list_profiles: () => [{ name: PROFILE.name, profile: { ...PROFILE, secret: { key_id: null, hint: null, expires_on: "2027-06-01" } }, problem: null }],
      secret_expiry: (a) => ({ expires_on: (a.credential as { expires_on: string }).expires_on, days_left: -2, state: "Expired" }),
      setup_sign_in_info: (a) => ({ client_id: a.setupClientId, app_name: "Microsoft Graph Command Line Tools", why: "", roles: [], permissions: [] }),
      replace_secret: () => {
        throw { kind: "AdministratorRequired", message: "Microsoft Entra refused: your account may not change this app.", fix: "Ask an administrator.", details: null, setting: null };
      },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("replace-secret-offer"));
    await user.click(await screen.findByTestId("replace-secret-start"));
    const panel = screen.getByTestId("replace-secret");
    expect(await within(panel).findByText(/may not change this app/)).toBeVisible();
    expect(within(panel).getByTestId("replace-secret-start")).toHaveTextContent("Try again");
  });

  it("starts the sandbox tenant and pre-fills the wizard", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    expect(await screen.findByTestId("cloud-custom")).toHaveTextContent("sandbox tenant");
    await user.click(screen.getByRole("button", { name: /Credentials/ }));
    expect(screen.getByTestId("tenant")).toHaveValue(SANDBOX.tenant);
  });
});

describe("the wizard frame", () => {
  beforeEach(() => backend());

  it("lists the eight steps in order and starts on the first", async () => {
    await startNew();
    const nav = screen.getByRole("navigation", { name: "Setup steps" });
    const ids = within(nav)
      .getAllByRole("button")
      .map((b) => b.dataset.step);
    expect(ids).toEqual(STEPS.map((s) => s.id));
    expect(current()?.getAttribute("data-step")).toBe("product");
    expect(screen.getByTestId("back")).toBeDisabled();
  });

  it("walks forward with Next and back with Back; Finish returns to the start", async () => {
    const user = userEvent.setup();
    render(<App />);
    // The sandbox fills in everything up to Connect.
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    for (const [i, step] of STEPS.slice(0, 5).entries()) {
      expect(title()).toBe(step.title);
      expect(screen.getByTestId("announcer")).toHaveTextContent(`Step ${i + 1} of 8: ${step.title}`);
      if (i < 4) await user.click(screen.getByTestId("next"));
    }
    await user.click(stepButton("check"));
    expect(screen.getByTestId("next")).toHaveTextContent("Finish");
    for (const step of [...STEPS].reverse().slice(1)) {
      await user.click(screen.getByTestId("back"));
      expect(current()?.getAttribute("data-step")).toBe(step.id);
    }
    await user.click(stepButton("check"));
    await user.click(screen.getByTestId("next"));
    expect(screen.getByTestId("start-page")).toBeInTheDocument();
  });

  it("hides the step names on request, keeping each one as a tooltip and for screen readers, and remembers it", async () => {
    const user = await startNew();
    const toggle = screen.getByRole("button", { name: "Hide step names" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    await user.click(toggle);
    const shown = screen.getByRole("button", { name: "Show step names" });
    expect(shown).toHaveAttribute("aria-pressed", "true");
    expect(document.querySelector(".app")).toHaveClass("compact-steps");
    const credentials = stepButton("credentials");
    expect(credentials).toHaveAttribute("title", "Credentials");
    expect(credentials).toHaveAccessibleName("Credentials");
    expect(localStorage.getItem("d365.compact-steps")).toBe("true");
    await user.click(shown);
    expect(document.querySelector(".app")).not.toHaveClass("compact-steps");
    expect(localStorage.getItem("d365.compact-steps")).toBeNull();
  });

  it("Next on a step with a problem shows it at its field and puts the focus there", async () => {
    const user = await startNew();
    await user.click(screen.getByTestId("next"));
    await user.click(screen.getByTestId("next"));
    expect(title()).toBe("Credentials");
    const next = screen.getByTestId("next");
    await waitFor(() => expect(next).toHaveAttribute("aria-disabled", "true"));
    await user.click(next);
    expect(title()).toBe("Credentials");
    const name = screen.getByTestId("connection-name");
    expect(name).toHaveFocus();
    expect(name).toHaveAccessibleDescription(expect.stringContaining("The connection has no name. Type a name for it."));
    // Alt+→ holds too; once the name is there the next empty field speaks.
    await user.type(name, "Contoso");
    await user.keyboard("{Alt>}{ArrowRight}{/Alt}");
    expect(screen.getByTestId("tenant")).toHaveFocus();
    expect(screen.getByTestId("tenant")).toHaveAccessibleDescription(expect.stringContaining("The tenant is empty."));
  });

  it("ticks only the steps that are complete, not every visited one", async () => {
    const user = await startNew();
    await user.click(stepButton("credentials"));
    await user.click(stepButton("permissions"));
    expect(stepButton("product")).toHaveAttribute("data-state", "done");
    expect(stepButton("product")).toHaveTextContent("✓");
    const credentials = stepButton("credentials");
    expect(credentials).toHaveAttribute("data-state", "incomplete");
    expect(credentials).not.toHaveTextContent("✓");
    expect(credentials).toHaveAccessibleName(expect.stringContaining("not complete yet"));
  });

  it("goes forward and back with Alt+Right and Alt+Left", async () => {
    const user = await startNew();
    await user.keyboard("{Alt>}{ArrowRight}{ArrowRight}{/Alt}");
    expect(title()).toBe("Credentials");
    await user.keyboard("{Alt>}{ArrowLeft}{/Alt}");
    expect(title()).toBe("Register app");
  });

  it("moves focus within the step list with the arrow keys and opens with Enter", async () => {
    const user = await startNew();
    const first = document.querySelector<HTMLButtonElement>('[data-step="product"]');
    first?.focus();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(document.activeElement?.getAttribute("data-step")).toBe("credentials");
    await user.keyboard("{End}{ArrowUp}{Enter}");
    expect(title()).toBe("Browse");
  });

  it("shows the app version from the backend", async () => {
    await startNew();
    expect(await screen.findByText("Version 0.1.0")).toBeInTheDocument();
  });
});

describe("the steps", () => {
  it("shows the registration guide with copy values and an open button", async () => {
    backend();
    const user = await startNew();
    await user.click(screen.getByRole("button", { name: /Register app/ }));
    const step = await screen.findByTestId("guide-step-1");
    expect(step).toHaveTextContent("Register the app in Microsoft Entra");
    expect(within(step).getByRole("button", { name: /Copy Redirect URI/ })).toBeInTheDocument();
    expect(within(step).getByRole("button", { name: "Open this page in your browser" })).toBeInTheDocument();
  });

  it("says a pasted Secret ID is not the Value", async () => {
    backend({
      check_secret: () => {
        throw { kind: "SecretIdNotValue", message: "This looks like the Secret ID.", fix: "Copy the Value column instead.", details: null };
      },
    });
    const user = await startNew();
    await user.click(screen.getByRole("button", { name: /Register app/ }));
    await user.click(screen.getByTestId("registration-BackgroundService"));
    await user.click(screen.getByRole("button", { name: /Credentials/ }));
    await user.type(screen.getByTestId("client-secret"), "9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02");
    expect(await screen.findByText(/This looks like the Secret ID/)).toBeInTheDocument();
    expect(screen.getByTestId("client-secret")).toHaveAttribute("aria-invalid", "true");
  });

  it("ticks the recommended permissions", async () => {
    backend();
    const user = await startNew();
    await user.click(screen.getByRole("button", { name: /Permissions/ }));
    const box = await screen.findByTestId("permission-Financials.ReadWrite.All");
    await waitFor(() => expect(within(box).getByRole("checkbox")).toBeChecked());
  });

  it("says once what delegated permissions are, and warns next to a broader one", async () => {
    backend({
      permissions: () => [
        { name: "Financials.ReadWrite.All", id: "x", access: "Delegated", plain: "Read and change data.", default: true, caution: null },
        { name: "AX.FullAccess", id: "y", access: "Delegated", plain: "Use it all.", default: false, caution: "Reaches everything the person can do." },
      ],
    });
    const user = await startNew();
    await user.click(screen.getByRole("button", { name: /Permissions/ }));
    expect(await screen.findByTestId("permissions-kind")).toHaveTextContent("delegated permissions: D365 Connect acts as the person who signs in");
    const broad = await screen.findByTestId("permission-AX.FullAccess");
    expect(broad).toHaveTextContent("Caution: Reaches everything the person can do.");
    expect(within(broad).getByRole("checkbox")).not.toBeChecked();
    expect(screen.getByTestId("permission-Financials.ReadWrite.All")).not.toHaveTextContent("Caution");
  });

  it("connects a background service and shows the token panel", async () => {
    const calls = backend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    await user.click(stepButton("connect"));
    await user.click(screen.getByTestId("connect"));
    expect(await screen.findByTestId("token-verdict")).toHaveTextContent("This token can call Business Central.");
    const saved = calls.find((c) => c.cmd === "save_profile");
    expect(saved?.args.secret).toBe("demo");
  });

  it("saves the secret's expiry date and Secret ID and shows the expiry on the token panel", async () => {
    const calls = backend({ secret_expiry: () => ({ expires_on: "2027-06-01", days_left: -2, state: "Expired" }) });
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    await user.click(stepButton("credentials"));
    expect(screen.queryByTestId("secret-expiry")).toBeNull();
    await user.type(screen.getByTestId("secret-expires"), "2027-06-01");
    await user.type(screen.getByTestId("secret-id"), " 9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02 ");
    expect(await screen.findByTestId("secret-expiry")).toHaveTextContent(/^Secret expired 2 days ago/);
    await user.click(stepButton("connect"));
    await user.click(screen.getByTestId("connect"));
    const panel = await screen.findByTestId("token-panel");
    expect(await within(panel).findByTestId("secret-expiry")).toHaveClass("expired");
    const saved = calls.find((c) => c.cmd === "save_profile");
    expect((saved?.args.profile as { secret: unknown }).secret).toEqual({ key_id: "9b0e7d35-2c4a-4e61-a8f3-1d5c7e9b3a02", hint: null, expires_on: "2027-06-01" });
  });

  it("saves the network settings chosen on the Credentials step", async () => {
    const calls = backend();
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    await user.click(stepButton("credentials"));
    expect(screen.getByTestId("retry-failed")).toBeChecked();
    await user.click(screen.getByTestId("long-timeout"));
    await user.click(screen.getByTestId("retry-failed"));
    await user.click(stepButton("connect"));
    await user.click(screen.getByTestId("connect"));
    await screen.findByTestId("token-verdict");
    const saved = calls.find((c) => c.cmd === "save_profile");
    expect((saved?.args.profile as { network: unknown }).network).toEqual({ long_timeout: true, retry_failed: false });
  });

  it("sends a background service's administrator to the admin center for consent, then connects again", async () => {
    let consented = false;
    const calls = backend({
      token_info: () =>
        consented
          ? TOKEN
          : {
              claims: { ...TOKEN.claims, roles: [] },
              verdict: { usable: false, summary: "This token cannot call Business Central.", problems: ["No permissions."], notes: [], missing_permissions: true },
            },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    await user.click(stepButton("connect"));
    await user.click(screen.getByTestId("connect"));
    expect(await screen.findByTestId("token-verdict")).toHaveTextContent("cannot call");
    // No redirect URI to answer to (docs/sandbox-fidelity.md §G1): no button.
    const card = screen.getByTestId("admin-consent-card");
    expect(within(card).queryByRole("button")).toBeNull();
    expect(card).toHaveTextContent("Grant admin consent for");
    consented = true;
    await user.click(screen.getByTestId("connect"));
    expect(await screen.findByTestId("token-verdict")).toHaveTextContent("This token can call Business Central.");
    expect(screen.queryByTestId("admin-consent-card")).toBeNull();
    expect(calls.filter((c) => c.cmd === "admin_consent")).toHaveLength(0);
  });

  it("shows what to do when connecting fails", async () => {
    backend({
      token_info: () => {
        throw { kind: "InvalidSecret", message: "Microsoft rejected the client secret.", fix: "Copy the Value.", details: "AADSTS7000215", setting: "Secret" };
      },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    await user.click(stepButton("connect"));
    await user.click(screen.getByTestId("connect"));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Microsoft rejected the client secret.");
    expect(alert).toHaveTextContent("What to do: Copy the Value.");
    expect(alert).toHaveTextContent("You change it on the Credentials step.");
  });
});

describe("the Environment step", () => {
  const COMPANIES = [
    { id: "11111111-1111-1111-1111-111111111111", name: "CRONUS USA, Inc.", odata_name: "CRONUS US" },
    { id: "22222222-2222-2222-2222-222222222222", name: "My Company" },
  ];

  it("chooses the company named in a pasted Business Central address", async () => {
    const calls = backend({
      read_bc_url: () => ({
        url: { tenant: { value: "contoso.onmicrosoft.com", notices: [] }, environment: "Production", company: "CRONUS USA, Inc." },
        notices: [],
      }),
      list_environments: () => [{ id: "Production", name: "Production", kind: "Production" }],
      list_companies: () => COMPANIES,
      // The core's rule decides which company the address names.
      find_company: () => COMPANIES[0],
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    await user.click(stepButton("credentials"));
    const tenant = screen.getByTestId("tenant");
    await user.clear(tenant);
    await user.click(tenant);
    await user.paste("https://api.businesscentral.dynamics.com/v2.0/contoso.onmicrosoft.com/Production/ODataV4/Company('CRONUS%20USA%2C%20Inc.')/Customers");
    expect(await screen.findByText(/company “CRONUS USA, Inc.”/)).toBeInTheDocument();
    await user.click(stepButton("connect"));
    await user.click(screen.getByTestId("connect"));
    await screen.findByTestId("token-verdict");
    await user.click(stepButton("environment"));
    await waitFor(() => expect(within(screen.getByTestId("company-CRONUS USA, Inc.")).getByRole("radio")).toBeChecked());
    expect(calls.find((c) => c.cmd === "find_company")?.args).toEqual({ companies: COMPANIES, wanted: "CRONUS USA, Inc." });
    const saved = calls.filter((c) => c.cmd === "save_profile").pop();
    expect((saved?.args.profile as { company: string }).company).toBe(COMPANIES[0].id);
  });

  it("lets the environment be typed when the list cannot be read", async () => {
    const calls = backend({
      list_environments: () => {
        throw { kind: "PermissionDenied", message: "The environment list needs an administrator.", fix: "Type it.", details: null, setting: null };
      },
      list_companies: () => COMPANIES,
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByTestId("try-sandbox"));
    await screen.findByTestId("cloud-custom");
    await user.click(stepButton("connect"));
    await user.click(screen.getByTestId("connect"));
    await screen.findByTestId("token-verdict");
    await user.click(stepButton("environment"));
    await user.type(await screen.findByTestId("typed-environment"), "Sandbox2");
    await user.click(screen.getByTestId("use-typed-environment"));
    expect(await screen.findByText("Using “Sandbox2”.")).toBeInTheDocument();
    const saved = calls.filter((c) => c.cmd === "save_profile").pop();
    expect((saved?.args.profile as { environment: string }).environment).toBe("Sandbox2");
    expect(await screen.findByTestId("company-My Company")).toBeInTheDocument();
  });
});

describe("the Check step's report", () => {
  const REPORT_PATH = "/home/me/Documents/Contoso BC - check report - 2026-12-05.html";

  async function openCheckStep(overrides: Record<string, Handler>) {
    const calls = backend(overrides);
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("open-profile"));
    await user.click(stepButton("check"));
    return { calls, user };
  }
  const argsOf = (calls: { cmd: string; args: Record<string, unknown> }[], cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args);

  it("is saved where the save dialog says, then offers Open and Show in folder", async () => {
    const { calls, user } = await openCheckStep({
      choose_save_path: () => REPORT_PATH,
      save_report: () => ({}),
      open_saved_file: () => null,
      show_saved_file: () => null,
    });
    await user.selectOptions(screen.getByTestId("report-format"), "Markdown");
    await user.click(screen.getByRole("button", { name: "Save report…" }));
    expect(argsOf(calls, "choose_save_path")).toEqual([{ target: { kind: "Report", connection: "Contoso BC", format: "Markdown" } }]);
    expect(argsOf(calls, "save_report")).toEqual([{ name: "Contoso BC", format: "Markdown", path: REPORT_PATH }]);
    const saved = await screen.findByTestId("report-saved");
    expect(saved).toHaveTextContent(`Saved to ${REPORT_PATH}.`);
    await user.click(within(saved).getByRole("button", { name: "Open" }));
    await user.click(within(saved).getByRole("button", { name: "Show in folder" }));
    expect(argsOf(calls, "open_saved_file")).toEqual([{ path: REPORT_PATH }]);
    expect(argsOf(calls, "show_saved_file")).toEqual([{ path: REPORT_PATH }]);
  });

  it("stays as it was when the save dialog is cancelled", async () => {
    const { calls, user } = await openCheckStep({ choose_save_path: () => null });
    const save = screen.getByTestId("save-report");
    await user.click(save);
    expect(argsOf(calls, "choose_save_path")).toHaveLength(1);
    expect(argsOf(calls, "save_report")).toEqual([]);
    expect(screen.queryByTestId("report-saved")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(save).toBeEnabled();
  });
});

describe("the Credentials step's secret store card", () => {
  async function openCredentials() {
    const user = await startNew();
    await user.click(screen.getByRole("button", { name: /Register app/ }));
    await user.click(screen.getByTestId("registration-SignInWithSecret"));
    await user.click(screen.getByRole("button", { name: /Credentials/ }));
  }

  it("shows the system keychain when the Secret Service answers", async () => {
    backend();
    await openCredentials();
    const card = screen.getByTestId("secret-store-status");
    await waitFor(() => expect(card).toHaveAttribute("data-backend", "SecretService"));
    expect(card).toHaveTextContent("remembered next time");
  });

  it("warns when secrets can only be kept in memory", async () => {
    backend({ secret_store_status: () => ({ backend: "MemoryOnly", persistent: false, label: "Memory only", advice: "Kept in memory for this session only." }) });
    await openCredentials();
    const card = screen.getByTestId("secret-store-status");
    await waitFor(() => expect(card).toHaveAttribute("data-backend", "MemoryOnly"));
    expect(within(card).getByRole("status")).toHaveTextContent("Kept in memory for this session only.");
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
  });
});
