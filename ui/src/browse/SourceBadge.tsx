import type { EntitySummary } from "../bindings/EntitySummary";

/** Marks Business Central's OData V4 web services (pages an administrator
 *  published) apart from API v2.0's tables, which often share their label. */
export function SourceBadge({ entity }: { entity: Pick<EntitySummary, "source"> }) {
  if (entity.source !== "WebService") return null;
  return (
    <span className="badge source-badge" title="A page published on Business Central's Web Services page, read through OData V4">
      Web service
    </span>
  );
}
