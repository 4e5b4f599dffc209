import type { Profile } from "../bindings/Profile";
import { BusinessCentralSide } from "./BusinessCentralSide";
import { DataverseSide } from "./DataverseSide";
import { FnoSide } from "./FnoSide";

/** What a background service needs inside the product once Entra is done. */
export function ProductSide({ profile, appName }: { profile: Profile; appName: string }) {
  switch (profile.product) {
    case "BusinessCentral":
      return <BusinessCentralSide name={profile.name} appName={appName} />;
    case "Dataverse":
      return <DataverseSide name={profile.name} environment={profile.environment ?? ""} />;
    case "FinanceOperations":
      return <FnoSide name={profile.name} appName={appName} clientId={profile.client_id} />;
  }
}
