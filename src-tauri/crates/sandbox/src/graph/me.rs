//! `me/memberOf`: the signed-in user's directory roles, what "Set it up
//! for me" reads to tell whether the person can grant consent (*Graph*
//! `user-list-memberof.md`: a user may list their own memberships with
//! User.Read; docs/microsoft.md §9). Users belong to no groups here.

use serde_json::{json, Value};
use uuid::Uuid;

use super::{Answer, Call};

/// Any delegated Graph token will do: User.Read is the least, and every
/// sign-in for Graph carries at least that or more.
pub fn member_of(call: &Call) -> Answer {
    let tenant = call.caller.tenant.id;
    let roles: Vec<Value> = call
        .caller
        .user
        .directory_roles()
        .into_iter()
        .map(|role| {
            json!({
                "@odata.type": "#microsoft.graph.directoryRole",
                // A role is activated once per tenant: its object ID is
                // the tenant's, not the template's.
                "id": Uuid::new_v5(&tenant, role.template_id.as_bytes()),
                "deletedDateTime": null,
                "description": role.description,
                "displayName": role.name,
                "roleTemplateId": role.template_id,
            })
        })
        .collect();
    call.collection("directoryObjects", roles)
}
