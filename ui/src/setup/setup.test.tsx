import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";
import type { CheckResult } from "../bindings/CheckResult";
import type { Profile } from "../bindings/Profile";
import type { SetupEvent } from "../bindings/SetupEvent";
import type { SetupRecord } from "../bindings/SetupRecord";
import type { SignInEvent } from "../bindings/SignInEvent";
import { DraftProvider, useDraft } from "../connection/DraftContext";
import { EMPTY_DRAFT, type Draft } from "../connection/draft";
import { RegisterStep } from "../steps/RegisterStep";

const TENANT = "contoso.onmicrosoft.com";
const NEW_APP = "5b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const GRAPH_TOOLS = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

const BC_SERVICE: Draft = { ...EMPTY_DRAFT, registration: "BackgroundService", tenant: TENANT };

const profileOf = (draft: Draft, patch: Partial<Profile> = {}): Profile => ({
  name: "Business Central",
  product: draft.product,
  cloud: draft.cloud,
  tenant: TENANT,
  client_id: NEW_APP,
  registration: draft.registration,
  scopes: [],
  environment: draft.product === "BusinessCentral" ? "Production" : "https://contoso.crm.dynamics.com",
  company: null,
  network: { long_timeout: false, retry_failed: true },
  secret: null,
  setup: null,
  customer: null,
  tags: [],
  ...patch,
});

const RECORD: SetupRecord = {
  app_name: "D365 Connect",
  object_id: "o",
  service_principal_id: "s",
  delegated: [],
  roles: [],
  product_side: null,
  set_up_on: "2026-12-04",
};

const adminRequired = {
  kind: "AdministratorRequired",
  message: "Microsoft Entra refused: your account may not register apps or grant consent for your organization.",
  fix: "Ask an administrator.",
  details: "Your directory roles: none.",
  setting: null,
};

type Handler = (args: Record<string, unknown>) => unknown;
type Call = { cmd: string; args: Record<string, unknown> };

/** The backend for the Register step; unknown commands fail loudly. */
function backend(overrides: Record<string, Handler> = {}): Call[] {
  const calls: Call[] = [];
  const handlers: Record<string, Handler> = {
    registration_guide: () => [{ title: "Register the app in Microsoft Entra", actions: ["Select New registration."], open: null, copy: [] }],
    setup_defaults: (a) => ({
      app_name: `D365 Connect - ${a.product === "BusinessCentral" ? "BC" : String(a.product)} (${a.registration === "BackgroundService" ? "background service" : "people sign in"})`,
      setup_client_id: GRAPH_TOOLS,
      unavailable: null,
    }),
    setup_sign_in_info: (a) => ({
      client_id: a.setupClientId,
      app_name: "Microsoft Graph Command Line Tools",
      why: "D365 Connect has no app in your organization yet, so it borrows this one to create it.",
      roles: ["Cloud Application Administrator", "Application Administrator"],
      permissions: ["Application.ReadWrite.All"],
    }),
    check_tenant: (a) => ({ value: String(a.raw).trim(), notices: [] }),
    check_environment_url: (a) => ({ value: String(a.raw).trim(), notices: [] }),
    setup_sign_in: (a) => {
      send<SignInEvent>(a.onEvent, { stage: "BrowserOpened", url: null });
      return null;
    },
    end_setup: () => null,
    ...overrides,
  };
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const handler = handlers[cmd];
    if (!handler) throw `unexpected command ${cmd}`;
    return handler(a);
  });
  return calls;
}

/** What the backend sends on a channel, as it would. */
function send<T>(channel: unknown, message: T) {
  (channel as Channel<T>).onmessage(message);
}

const called = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd);

function DraftView() {
  const { draft } = useDraft();
  return <output data-testid="draft">{JSON.stringify(draft)}</output>;
}

function renderStep(draft: Draft) {
  const onContinue = vi.fn();
  const user = userEvent.setup();
  render(
    <DraftProvider initial={draft}>
      <RegisterStep onContinue={onContinue} />
      <DraftView />
    </DraftProvider>,
  );
  const current = (): Draft => JSON.parse(screen.getByTestId("draft").textContent ?? "{}") as Draft;
  return { user, onContinue, current };
}

/** A successful registration: progress with a replication wait, then the saved connection. */
const registered = (draft: Draft, profile: Partial<Profile> = {}): Handler => (a) => {
  const events: SetupEvent[] = [
    { step: "CheckRole", state: "Done", detail: "You are a Cloud Application Administrator." },
    { step: "Register", state: "Done", detail: "Created the app." },
    { step: "ServicePrincipal", state: "Waiting", detail: "Microsoft Entra is still copying the change to all its servers; trying again in 2 s." },
  ];
  for (const e of events) send(a.onProgress, e);
  return {
    profile: profileOf(draft, profile),
    summary: { client_id: NEW_APP, object_id: "o", service_principal_id: "s", reused: false, delegated: [], roles: ["API.ReadWrite.All"], secret_expires: "2027-06-01T10:00:00Z" },
  };
};

describe("the Register step's three paths", () => {
  it("keeps today's guide as the default and offers setup and the hand-off beside it", async () => {
    backend();
    renderStep(BC_SERVICE);
    const paths = screen.getByTestId("register-paths");
    expect(within(paths).getAllByRole("radio")).toHaveLength(3);
    expect(within(screen.getByTestId("path-manual")).getByRole("radio")).toBeChecked();
    expect(await screen.findByText("Register the app in Microsoft Entra")).toBeVisible();
    expect(screen.queryByTestId("setup-form")).not.toBeInTheDocument();
  });

  it("does not offer setup where the cloud has no Microsoft Graph address, and says why", async () => {
    backend({ setup_defaults: () => ({ app_name: "x", setup_client_id: GRAPH_TOOLS, unavailable: "These custom endpoints have no Microsoft Graph address." }) });
    renderStep(BC_SERVICE);
    const setup = screen.getByTestId("path-setup");
    await waitFor(() => expect(within(setup).getByRole("radio")).toBeDisabled());
    expect(setup).toHaveTextContent("no Microsoft Graph address");
  });
});

describe("the administrator's session", () => {
  it("ends when the wizard starts over, and is never asked to end if setup was not opened", async () => {
    const calls = backend();
    const { user } = renderStep(BC_SERVICE);
    await screen.findByText("Register the app in Microsoft Entra");
    cleanup();
    expect(called(calls, "end_setup")).toHaveLength(0);

    renderStep(BC_SERVICE);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await screen.findByTestId("setup-start");
    cleanup();
    expect(called(calls, "end_setup")).toHaveLength(1);
  });
});

describe("Set it up for me", () => {
  it("prefills the form, explains the sign-in and asks for the secret's lifetime only when there is a secret", async () => {
    backend();
    const { user } = renderStep({ ...EMPTY_DRAFT, tenant: TENANT });
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    expect(await screen.findByTestId("setup-tenant")).toHaveValue(TENANT);
    expect(screen.getByTestId("setup-app-name")).toHaveValue("D365 Connect - BC (people sign in)");
    expect(screen.queryByTestId("secret-months-12")).not.toBeInTheDocument();
    expect(screen.queryByTestId("setup-environment")).not.toBeInTheDocument();
    expect(await screen.findByTestId("setup-sign-in-info")).toHaveTextContent("Microsoft Graph Command Line Tools");
    expect(screen.getByTestId("setup-sign-in-info")).toHaveTextContent("Cloud Application Administrator");

    // A background service has a secret: 12 months unless chosen otherwise;
    // the default app name follows the choice until someone types another.
    await user.click(within(screen.getByTestId("registration-BackgroundService")).getByRole("radio"));
    expect(within(await screen.findByTestId("secret-months-12")).getByRole("radio")).toBeChecked();
    await waitFor(() => expect(screen.getByTestId("setup-app-name")).toHaveValue("D365 Connect - BC (background service)"));
    expect(screen.getByTestId("setup-environment")).toHaveValue("Production");
    expect(screen.getByTestId("setup-client-id")).toHaveValue(GRAPH_TOOLS);
  });

  it("marks the step it was on as stopped when setup is cancelled mid-wait, and offers to carry on", async () => {
    backend({
      setup_register: (a) => {
        send<SetupEvent>(a.onProgress, { step: "Register", state: "Done", detail: "Created the app." });
        send<SetupEvent>(a.onProgress, { step: "ServicePrincipal", state: "Waiting", detail: "Microsoft Entra is still copying the change to all its servers; trying again in 4 s." });
        throw { kind: "Cancelled", message: "Setup was stopped.", fix: "Start it again when you are ready: it carries on where it stopped.", details: null, setting: null };
      },
    });
    const { user } = renderStep(BC_SERVICE);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await user.click(await screen.findByTestId("setup-start"));

    const step = await screen.findByTestId("setup-step-ServicePrincipal");
    await waitFor(() => expect(step).toHaveAttribute("data-state", "Stopped"));
    expect(step).toHaveTextContent("Stopped here");
    expect(step).not.toHaveTextContent("trying again");
    expect(screen.getByTestId("setup-step-Register")).toHaveAttribute("data-state", "Done");
    expect(screen.getByTestId("setup-start")).toHaveTextContent("Try again");
  });

  it("signs the administrator in, shows each step and the wait for Entra, then the BC page card until BC accepts the app", async () => {
    const inProduct = (status: CheckResult["status"], detail: string): CheckResult => ({
      id: "in-product",
      title: "The app is registered inside Business Central",
      status,
      detail,
      fix: status === "Pass" ? null : "Add it on the Microsoft Entra Applications page.",
      details: null,
      setting: null,
      millis: 1,
    });
    let accepted = false;
    const calls = backend({
      setup_register: registered(BC_SERVICE),
      setup_business_central_page: (a) => ({
        url: "https://businesscentral.dynamics.com/contoso.onmicrosoft.com/Production/?page=9860",
        client_id: NEW_APP,
        description: a.description,
        permission_sets: ["D365 READ", "D365 BUS FULL ACCESS"],
        steps: ["Open Microsoft Entra Applications in Business Central.", "Choose New, paste the Client ID."],
      }),
      open_in_browser: () => null,
      run_checks: () => ({
        results: [accepted ? inProduct("Pass", "Business Central accepts the app.") : inProduct("Fail", "The app is not registered inside Business Central.")],
      }),
    });
    const { user, onContinue, current } = renderStep(BC_SERVICE);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await user.click(within(await screen.findByTestId("secret-months-6")).getByRole("radio"));
    await user.click(screen.getByTestId("setup-start"));

    await screen.findByTestId("setup-done");
    const signIn = called(calls, "setup_sign_in")[0].args;
    expect(signIn).toMatchObject({ tenant: TENANT, setupClientId: GRAPH_TOOLS, cloud: { kind: "Public" } });
    const request = called(calls, "setup_register")[0].args.request;
    expect(request).toMatchObject({ tenant: TENANT, secret_months: 6, registration: "BackgroundService", environment: "Production", app_name: "D365 Connect - BC (background service)" });
    expect(screen.getByTestId("setup-step-CheckRole")).toHaveAttribute("data-state", "Done");
    expect(screen.getByTestId("setup-step-ServicePrincipal")).toHaveAttribute("data-state", "Waiting");
    expect(screen.getByTestId("setup-step-ServicePrincipal")).toHaveTextContent("still copying the change");
    expect(screen.getByTestId("setup-step-Consent")).toHaveAttribute("data-state", "Pending");
    expect(screen.getByTestId("setup-done")).toHaveTextContent("2027-06-01");
    expect(screen.getByTestId("setup-done")).not.toHaveTextContent("secret:");

    // The draft carries on with the new app, saved.
    expect(current()).toMatchObject({ clientId: NEW_APP, tenant: TENANT, registration: "BackgroundService", saved: true, secret: "", name: "Business Central" });
    // The form cannot change under what was made.
    expect(screen.getByTestId("setup-form")).toBeDisabled();

    const card = await screen.findByTestId("bc-entra-applications");
    expect(within(card).getByTestId("bc-client-id")).toHaveTextContent(NEW_APP);
    expect(card).toHaveTextContent("D365 READ");
    await user.click(within(card).getByTestId("bc-open-page"));
    expect(called(calls, "open_in_browser")[0].args.url).toContain("page=9860");

    await user.click(within(card).getByTestId("bc-check-again"));
    expect(await within(card).findByTestId("bc-not-yet")).toHaveTextContent("not registered inside Business Central");
    accepted = true;
    await user.click(within(card).getByTestId("bc-check-again"));
    expect(await within(card).findByTestId("bc-accepted")).toHaveTextContent("accepts the app");

    await user.click(screen.getByTestId("setup-continue"));
    expect(onContinue).toHaveBeenCalledOnce();
    expect(called(calls, "end_setup").length).toBeGreaterThan(0);
  });

  it("reuses the administrator's sign-in when trying again after a failure that was not about the role", async () => {
    let tries = 0;
    const calls = backend({
      setup_register: (a) => {
        tries += 1;
        if (tries === 1) throw { kind: "ServiceUnavailable", message: "Microsoft Graph did not answer.", fix: "Try again in a minute.", details: null, setting: null };
        return registered(BC_SERVICE)(a);
      },
      setup_business_central_page: () => ({ url: null, client_id: NEW_APP, description: "d", permission_sets: ["D365 READ"], steps: ["Search for it."] }),
    });
    const { user } = renderStep(BC_SERVICE);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await user.click(await screen.findByTestId("setup-start"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Microsoft Graph did not answer.");
    expect(screen.getByTestId("setup-start")).toHaveTextContent("Try again");
    await user.click(screen.getByTestId("setup-start"));
    await screen.findByTestId("setup-done");
    expect(called(calls, "setup_sign_in")).toHaveLength(1);
    // No address for the page in this cloud: no button that could not open it.
    expect(await screen.findByTestId("bc-check-again")).toBeEnabled();
    expect(screen.queryByTestId("bc-open-page")).not.toBeInTheDocument();
  });

  it("creates Dataverse's application user with the suggested role, never System Administrator by default", async () => {
    const draft: Draft = { ...EMPTY_DRAFT, product: "Dataverse", registration: "BackgroundService", tenant: TENANT, environment: "https://contoso.crm.dynamics.com" };
    const calls = backend({
      setup_register: registered(draft, { name: "Dataverse" }),
      setup_dataverse_roles: () => [
        { id: "r1", name: "Basic User", suggested: true },
        { id: "r0", name: "System Administrator", suggested: false },
      ],
      setup_dataverse_user: () =>
        profileOf(draft, { name: "Dataverse", setup: { ...RECORD, product_side: "Created the application user with the role Basic User." } }),
    });
    const { user } = renderStep(draft);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    expect(await screen.findByTestId("setup-environment")).toHaveValue("https://contoso.crm.dynamics.com");
    await user.click(screen.getByTestId("setup-start"));
    const card = await screen.findByTestId("dataverse-application-user");
    await waitFor(() => expect(within(within(card).getByTestId("role-Basic User")).getByRole("radio")).toBeChecked());
    expect(within(within(card).getByTestId("role-System Administrator")).getByRole("radio")).not.toBeChecked();
    await user.click(within(card).getByTestId("dataverse-create-user"));
    expect(await within(card).findByTestId("dataverse-user-ready")).toHaveTextContent("Created the application user with the role Basic User.");
    expect(called(calls, "setup_dataverse_user")[0].args).toMatchObject({ name: "Dataverse", roleId: "r1", roleName: "Basic User" });
  });

  it("adds the app on F&O's Entra applications page for the chosen user, or shows the values to enter by hand", async () => {
    const draft: Draft = { ...EMPTY_DRAFT, product: "FinanceOperations", registration: "BackgroundService", tenant: TENANT, environment: "https://contoso.operations.dynamics.com" };
    const calls = backend({
      setup_register: registered(draft, { name: "FO" }),
      setup_fno_options: () => ({ automatic: true, users: [{ id: "Admin", name: "Admin" }, { id: "svc", name: "Integration user" }], by_hand: [] }),
      setup_fno_application: (a) =>
        profileOf(draft, { name: "FO", setup: { ...RECORD, product_side: `The app is on the Microsoft Entra applications page, acting as ${String(a.userId)}.` } }),
    });
    const { user, current } = renderStep(draft);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await user.click(await screen.findByTestId("setup-start"));
    const card = await screen.findByTestId("fno-entra-applications");
    expect(await within(card).findByTestId("fno-add-app")).toBeDisabled();
    await user.click(within(within(card).getByTestId("fno-user-svc")).getByRole("radio"));
    await user.click(within(card).getByTestId("fno-add-app"));
    expect(await within(card).findByTestId("fno-app-added")).toHaveTextContent("acting as svc");
    // The draft keeps what the connection notes, so the Connect step's save keeps it too.
    expect(current().setup?.product_side).toContain("acting as svc");
    expect(called(calls, "setup_fno_application")[0].args).toMatchObject({ name: "FO", userId: "svc", appName: "D365 Connect - FinanceOperations (background service)" });
  });

  it("shows F&O's page values by hand when the environment has no API for it", async () => {
    const draft: Draft = { ...EMPTY_DRAFT, product: "FinanceOperations", registration: "BackgroundService", tenant: TENANT, environment: "https://contoso.operations.dynamics.com" };
    const calls = backend({
      setup_register: registered(draft, { name: "FO" }),
      setup_fno_options: (a) => ({
        automatic: false,
        users: [],
        by_hand: [
          "System administration > Setup > Microsoft Entra applications > New",
          `Client ID: ${NEW_APP}`,
          `Name: ${String(a.appName)}`,
          "User ID: a user made for integrations",
        ],
      }),
    });
    const { user } = renderStep(draft);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await user.click(await screen.findByTestId("setup-start"));
    const byHand = await screen.findByTestId("fno-by-hand");
    expect(byHand).toHaveTextContent("System administration > Setup > Microsoft Entra applications");
    expect(byHand).toHaveTextContent(NEW_APP);
    expect(byHand).toHaveTextContent("D365 Connect - FinanceOperations (background service)");
    expect(called(calls, "setup_fno_options")[0].args).toMatchObject({ name: "FO", appName: "D365 Connect - FinanceOperations (background service)" });
  });
});

describe("when the person is not an administrator", () => {
  it("explains why and offers the hand-off pack: script to save and copy, checklist, then the import", async () => {
    const calls = backend({
      setup_register: () => {
        throw adminRequired;
      },
      setup_handoff: (a) => ({
        script: `Connect-MgGraph -TenantId '${(a.request as { tenant: string }).tenant}'\nNew-MgApplication`,
        script_file_name: "register-d365-connect.ps1",
        output_file_name: "d365-connect-app.json",
        checklist: ["Send this script to an administrator.", "Import the file they send back."],
        roles: ["Cloud Application Administrator", "Application Administrator"],
      }),
      save_handoff_script: (a) => String(a.path).replace("~", "/home/me"),
      import_handoff: (a) => {
        const request = a.request as { name: string };
        return profileOf(BC_SERVICE, { name: request.name, tenant: "7c2f5e1a-0d3b-4c8e-9a61-c5e0a1b2c3d4" });
      },
      setup_business_central_page: () => ({ url: null, client_id: NEW_APP, description: "d", permission_sets: ["D365 READ"], steps: ["Open it."] }),
    });
    const { user, onContinue, current } = renderStep(BC_SERVICE);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await user.click(await screen.findByTestId("setup-start"));

    const why = await screen.findByTestId("handoff-why");
    expect(within(why).getByRole("alert")).toHaveTextContent("may not register apps");
    expect(within(why).getByRole("alert")).toHaveTextContent("Ask an administrator.");
    expect(within(screen.getByTestId("path-handoff")).getByRole("radio")).toBeChecked();
    const script = await screen.findByTestId("handoff-script");
    expect(script).toHaveTextContent(`Connect-MgGraph -TenantId '${TENANT}'`);
    expect(screen.getByTestId("handoff-checklist")).toHaveTextContent("Send this script to an administrator.");

    await user.click(screen.getByTestId("handoff-save-script"));
    expect(await screen.findByTestId("handoff-script-saved")).toHaveTextContent("/home/me/Documents/register-d365-connect.ps1");
    expect(called(calls, "save_handoff_script")[0].args).toMatchObject({ path: "~/Documents/register-d365-connect.ps1", request: { tenant: TENANT, secret_months: 12 } });

    await user.click(screen.getByTestId("handoff-import"));
    expect(await screen.findByTestId("handoff-imported")).toHaveTextContent(`Saved the connection Business Central with the app ${NEW_APP}`);
    expect(called(calls, "import_handoff")[0].args).toMatchObject({
      path: "~/Downloads/d365-connect-app.json",
      request: { name: "Business Central", registration: "BackgroundService", environment: "Production", tenant: TENANT },
    });
    expect(current()).toMatchObject({ clientId: NEW_APP, saved: true });
    await user.click(screen.getByTestId("handoff-continue"));
    expect(onContinue).toHaveBeenCalledOnce();
  });

  it("sends a sign-in refused for lack of an administrator's consent to the hand-off too", async () => {
    backend({
      setup_sign_in: () => {
        throw { kind: "ConsentRequired", message: "Your organization lets only administrators approve these permissions.", fix: "An administrator must grant consent.", details: "AADSTS90094", setting: null };
      },
      setup_handoff: () => ({ script: "x", script_file_name: "s.ps1", output_file_name: "o.json", checklist: [], roles: ["Application Administrator"] }),
    });
    const { user } = renderStep(BC_SERVICE);
    await user.click(within(screen.getByTestId("path-setup")).getByRole("radio"));
    await user.click(await screen.findByTestId("setup-start"));
    const why = await screen.findByTestId("handoff-why");
    expect(why).toHaveTextContent("only administrators approve");
    expect(why).toHaveTextContent("AADSTS90094");
    // The advice fits the hand-off, not the Connect step's admin consent page.
    expect(why).toHaveTextContent("send them the script below");
    expect(why).not.toHaveTextContent("An administrator must grant consent.");
  });

  it("says a file that is not the script's output cannot be imported, and what to do", async () => {
    backend({
      setup_handoff: () => ({ script: "x", script_file_name: "s.ps1", output_file_name: "d365-connect-app.json", checklist: [], roles: [] }),
      import_handoff: () => {
        throw { kind: "InvalidInput", message: "This is not the file the setup script writes (d365-connect-app.json).", fix: "Pick the file your administrator sent you, unchanged.", details: null, setting: null };
      },
    });
    const { user } = renderStep(BC_SERVICE);
    await user.click(within(screen.getByTestId("path-handoff")).getByRole("radio"));
    await user.type(await screen.findByTestId("handoff-output-path"), "~/notes.json");
    await user.click(screen.getByTestId("handoff-import"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Pick the file your administrator sent you");
    expect(screen.queryByTestId("handoff-why")).not.toBeInTheDocument();
  });
});
