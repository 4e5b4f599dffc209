import { Browse } from "../browse/Browse";
import { useDraft } from "../connection/DraftContext";
import type { StepId } from "../wizard/steps";
import { CheckStep } from "./CheckStep";
import { ConnectStep } from "./ConnectStep";
import { CredentialsStep } from "./CredentialsStep";
import { EnvironmentStep } from "./EnvironmentStep";
import { PermissionsStep } from "./PermissionsStep";
import { ProductStep } from "./ProductStep";
import { RegisterStep } from "./RegisterStep";

function BrowseStep() {
  const { draft } = useDraft();
  if (!draft.saved || !draft.environment) {
    return <p className="notice">Connect and choose an environment and company first; then your data shows here.</p>;
  }
  return <Browse connection={draft.name} />;
}

/** The body of each wizard step; `goTo` moves the wizard on when a step finishes on its own. */
export function StepBody({ id, goTo }: { id: StepId; goTo: (id: StepId) => void }) {
  switch (id) {
    case "product":
      return <ProductStep />;
    case "register":
      return <RegisterStep onContinue={() => goTo("connect")} />;
    case "credentials":
      return <CredentialsStep />;
    case "permissions":
      return <PermissionsStep />;
    case "connect":
      return <ConnectStep />;
    case "environment":
      return <EnvironmentStep />;
    case "browse":
      return <BrowseStep />;
    case "check":
      return <CheckStep />;
  }
}
