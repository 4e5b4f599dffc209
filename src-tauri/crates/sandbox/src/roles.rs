//! Microsoft Entra directory roles a world's users may hold, with their
//! template IDs (*Entra* `role-based-access-control/permissions-reference.md`,
//! "All roles"; docs/microsoft.md §9). Only the roles that decide something
//! in the sandbox, and the Dynamics ones people expect to assign.

/// A built-in directory role.
#[derive(Debug, PartialEq, Eq)]
pub struct DirectoryRole {
    pub name: &'static str,
    pub template_id: &'static str,
    pub description: &'static str,
}

const fn role(
    name: &'static str,
    template_id: &'static str,
    description: &'static str,
) -> DirectoryRole {
    DirectoryRole {
        name,
        template_id,
        description,
    }
}

pub const GLOBAL_ADMINISTRATOR: DirectoryRole = role(
    "Global Administrator",
    "62e90394-69f5-4237-9190-012177145e10",
    "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
);
const PRIVILEGED_ROLE_ADMINISTRATOR: DirectoryRole = role(
    "Privileged Role Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
);
const APPLICATION_ADMINISTRATOR: DirectoryRole = role(
    "Application Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Can create and manage all aspects of app registrations and enterprise apps.",
);
const CLOUD_APPLICATION_ADMINISTRATOR: DirectoryRole = role(
    "Cloud Application Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
);
const APPLICATION_DEVELOPER: DirectoryRole = role(
    "Application Developer",
    "cf1c38e5-3621-4004-a7cb-879624dced7c",
    "Can create application registrations independent of the 'Users can register applications' setting.",
);

pub const ALL: &[DirectoryRole] = &[
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_ROLE_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
    CLOUD_APPLICATION_ADMINISTRATOR,
    APPLICATION_DEVELOPER,
    role(
        "Directory Writers",
        "9360feb5-f418-4baa-8175-e2a00bac4301",
        "Can read and write basic directory information. For granting access to applications, not intended for users.",
    ),
    role(
        "User Administrator",
        "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
    ),
    role(
        "Global Reader",
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        "Can read everything that a Global Administrator can, but not update anything.",
    ),
    role(
        "Dynamics 365 Administrator",
        "44367163-eba1-44c3-98af-f5787879f96a",
        "Can manage all aspects of the Dynamics 365 product.",
    ),
    role(
        "Dynamics 365 Business Central Administrator",
        "963797fb-eb3b-4cde-8ce3-5878b3f32a3f",
        "Access and perform all administrative tasks on Dynamics 365 Business Central environments.",
    ),
    role(
        "Power Platform Administrator",
        "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
        "Can create and manage all aspects of Microsoft Dynamics 365, Power Apps and Power Automate.",
    ),
];

/// A role named by its display name (any case) or its template ID.
pub fn find(name_or_template_id: &str) -> Option<&'static DirectoryRole> {
    ALL.iter().find(|r| {
        r.name.eq_ignore_ascii_case(name_or_template_id)
            || r.template_id.eq_ignore_ascii_case(name_or_template_id)
    })
}

impl DirectoryRole {
    /// Manages every app registration and enterprise app and may grant
    /// consent for the whole organization, delegated and app roles of
    /// non-Graph APIs (docs/microsoft.md §4, §9: Privileged Role, Cloud
    /// Application and Application Administrator; a Global Administrator
    /// can do everything).
    pub fn administers_applications(&self) -> bool {
        [
            &GLOBAL_ADMINISTRATOR,
            &PRIVILEGED_ROLE_ADMINISTRATOR,
            &APPLICATION_ADMINISTRATOR,
            &CLOUD_APPLICATION_ADMINISTRATOR,
        ]
        .contains(&self)
    }

    /// May register applications even where the tenant does not let users
    /// (docs/microsoft.md §9; the roles above, and Application Developer).
    pub fn registers_applications(&self) -> bool {
        self.administers_applications() || *self == APPLICATION_DEVELOPER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_found_by_name_or_template_id() {
        assert_eq!(
            find("cloud application administrator").map(|r| r.template_id),
            Some("158c047a-c907-4556-b7ef-446551a6b5f7")
        );
        assert_eq!(
            find("62E90394-69F5-4237-9190-012177145E10").map(|r| r.name),
            Some("Global Administrator")
        );
        assert!(find("Tenant Wizard").is_none());
        assert!(find("Dynamics 365 Administrator").is_some_and(|r| !r.administers_applications()));
        assert!(find("Application Developer")
            .is_some_and(|r| r.registers_applications() && !r.administers_applications()));
    }
}
