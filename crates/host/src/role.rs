//! The long-running roles one binary can be, parsed from `api,web`-style lists (`all`: every
//! role, as Grafana Loki's `-target=all`).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::config::PoolRole;

/// One long-running role. The order of the variants is the order a process starts them:
/// the APIs before the frontends that call them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The backend REST API.
    Api,
    /// The operators' REST API.
    AdminApi,
    /// The firm web app, a frontend of the backend API.
    Web,
    /// The admin console, a frontend of the admin API.
    AdminWeb,
    /// The transform and file processor: analyses uploads, plans started jobs.
    Tfp,
    /// The queue handlers as long-polling workers.
    Worker,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Api,
        Role::AdminApi,
        Role::Web,
        Role::AdminWeb,
        Role::Tfp,
        Role::Worker,
    ];

    /// The name on the command line (`migrationai <name>`, `--roles <name>,...`).
    pub const fn name(self) -> &'static str {
        match self {
            Role::Api => "api",
            Role::AdminApi => "admin-api",
            Role::Web => "web",
            Role::AdminWeb => "admin-web",
            Role::Tfp => "tfp",
            Role::Worker => "worker",
        }
    }

    /// The port it listens on when nothing says otherwise (the worker serves no HTTP).
    pub const fn default_port(self) -> Option<u16> {
        match self {
            Role::Api => Some(8080),
            Role::AdminApi => Some(8081),
            Role::Tfp => Some(8082),
            Role::Web => Some(8090),
            Role::AdminWeb => Some(8091),
            Role::Worker => None,
        }
    }

    /// Its place after a first port (`up --port`, `run --port`): the four HTTP roles take the
    /// first four, tfp's health endpoint the fifth.
    pub const fn port_offset(self) -> Option<u16> {
        match self {
            Role::Api => Some(0),
            Role::AdminApi => Some(1),
            Role::Web => Some(2),
            Role::AdminWeb => Some(3),
            Role::Tfp => Some(4),
            Role::Worker => None,
        }
    }

    /// The database pool size a process running only this role opens.
    pub const fn pool(self) -> PoolRole {
        match self {
            Role::Api | Role::AdminApi | Role::Web | Role::AdminWeb => PoolRole::Http,
            Role::Tfp => PoolRole::Tfp,
            Role::Worker => PoolRole::Poller,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role list named a role that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("unknown role {name:?}; the roles are {}, or all", known())]
    Unknown { name: String },
    #[error("no role named; the roles are {}, or all", known())]
    Empty,
}

fn known() -> String {
    Role::ALL.map(Role::name).join(", ")
}

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Role, RoleError> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| RoleError::Unknown {
                name: s.to_string(),
            })
    }
}

/// The roles of one process, in start order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    pub fn one(role: Role) -> Roles {
        Roles(BTreeSet::from([role]))
    }

    /// Every role: the union of them all.
    pub fn all() -> Roles {
        Roles(Role::ALL.into_iter().collect())
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// The pool size of the process: a lone role's own, else the one-machine size.
    pub fn pool(&self) -> PoolRole {
        match self.0.iter().next() {
            Some(role) if self.0.len() == 1 => role.pool(),
            _ => PoolRole::Local,
        }
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Roles {
        Roles(iter.into_iter().collect())
    }
}

impl FromStr for Roles {
    type Err = RoleError;
    /// `api,web`, `all`, or a mix (`all` absorbs the rest); spaces around names are allowed.
    fn from_str(s: &str) -> Result<Roles, RoleError> {
        let mut roles = BTreeSet::new();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "all" {
                roles.extend(Role::ALL);
            } else {
                roles.insert(name.parse()?);
            }
        }
        if roles.is_empty() {
            return Err(RoleError::Empty);
        }
        Ok(Roles(roles))
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Role::name).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_into_start_order() {
        let roles: Roles = "web, api".parse().expect("parse");
        assert_eq!(roles.iter().collect::<Vec<_>>(), vec![Role::Api, Role::Web]);
        assert_eq!(roles.to_string(), "api,web");
        let names: Vec<Role> = Role::ALL
            .map(|r| r.name().parse().expect("own name"))
            .into();
        assert_eq!(names, Role::ALL.to_vec());
    }

    #[test]
    fn all_is_the_union_of_every_role() {
        let all: Roles = "all".parse().expect("all");
        let union: Roles = Role::ALL.into_iter().collect();
        assert_eq!(all, union);
        assert_eq!(all, Roles::all());
        assert_eq!("tfp,all".parse::<Roles>(), Ok(Roles::all()));
        assert_eq!(all.pool(), PoolRole::Local);
        assert_eq!(Roles::one(Role::Worker).pool(), PoolRole::Poller);
    }

    #[test]
    fn an_unknown_role_is_named_with_the_known_ones() {
        let err = "api,wbe".parse::<Roles>().expect_err("unknown");
        assert_eq!(err, RoleError::Unknown { name: "wbe".into() });
        let text = err.to_string();
        assert!(text.contains("\"wbe\""), "{text}");
        for role in Role::ALL {
            assert!(text.contains(role.name()), "{text} lacks {role}");
        }
        assert!(text.ends_with("or all"), "{text}");
        assert_eq!(" , ".parse::<Roles>(), Err(RoleError::Empty));
    }
}
