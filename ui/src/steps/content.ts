import type { StepId } from "../wizard/steps";

/** What each step will do for the user, shown until the step is built. */
export const STEP_INTRO: Record<StepId, string[]> = {
  product: [
    "Pick Business Central, Finance & Operations, or Dataverse (Sales, Customer Service).",
    "Choose the Microsoft cloud your company uses: Public (most companies), US Government, or China.",
  ],
  register: [
    "We walk you through registering an app in Microsoft Entra ID, with the exact words you will see on screen.",
    "Each step has a button that opens the right page in your browser and copy buttons for every value to paste.",
  ],
  credentials: [
    "Enter your tenant (its ID or domain), the app's client ID and, for a background service, the client secret.",
    "Paste a Business Central web service address and we fill in the tenant and environment for you.",
  ],
  permissions: [
    "Choose what the connection may do. Each permission is described in plain words, with safe defaults ticked.",
  ],
  connect: [
    "Sign in through your usual browser; D365 Connect waits for Microsoft to send you back and shows each stage.",
    "A background service connects with its client secret instead, without a browser.",
  ],
  environment: [
    "Choose the environment (for example Production or a Sandbox) and the company you want to work with.",
  ],
  browse: [
    "See your data in a table: pick an entity such as Customers, filter and sort it, open a record, export it.",
  ],
  check: [
    "Run every check, from the tenant to reading real data, and save a report to hand to your customer or IT team.",
  ],
};
