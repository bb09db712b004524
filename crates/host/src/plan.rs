//! The dependency map: what each role needs opened before it starts, what those things need
//! in turn, and the order a process opens and starts them. `migrationai roles` prints it.

use std::collections::BTreeSet;
use std::fmt;

use crate::role::{Role, Roles};

/// Something a process opens once, before the roles that need it start. The order of the
/// variants is the order of opening; each comes after everything it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// The store, queues and blobs of the configured profile.
    Adapters,
    /// The migration system over the adapters (`App::open`).
    App,
    /// The services' own tables: accounts, tokens, uploads, audit.
    ServicesDb,
    /// The shared cache.
    Cache,
    /// The URL of the backend API the firm web app calls.
    ApiUrl,
    /// The URL of the admin API the console calls.
    AdminApiUrl,
}

impl Need {
    pub const ALL: [Need; 6] = [
        Need::Adapters,
        Need::App,
        Need::ServicesDb,
        Need::Cache,
        Need::ApiUrl,
        Need::AdminApiUrl,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Need::Adapters => "adapters",
            Need::App => "app",
            Need::ServicesDb => "services-db",
            Need::Cache => "cache",
            Need::ApiUrl => "api-url",
            Need::AdminApiUrl => "admin-api-url",
        }
    }

    /// What it needs opened first.
    pub const fn after(self) -> &'static [Need] {
        match self {
            Need::App => &[Need::Adapters],
            // On aws the services' tables live in the store's database, whose URL the
            // profile (and its secret) gives.
            Need::ServicesDb => &[Need::App],
            Need::Adapters | Need::Cache | Need::ApiUrl | Need::AdminApiUrl => &[],
        }
    }

    /// What opening it does.
    pub const fn about(self) -> &'static str {
        match self {
            Need::Adapters => {
                "store, queues and blobs of MIGRATIONAI_PROFILE (aws: the runtime user's secret \
                 from Secrets Manager, PostgreSQL with its schema checked, SQS, S3; embedded: \
                 SQLite migrated and folders in the data directory)"
            }
            Need::App => {
                "the migration system over them: one opener per data directory, the embedded \
                 queues created, the jobs queue checked"
            }
            Need::ServicesDb => {
                "the services' tables (migrated on embedded, checked on aws): the store's \
                 database when it has a URL, else <data_dir>/services.db"
            }
            Need::Cache => "the cache: Redis on aws, in process on embedded",
            Need::ApiUrl => {
                "the backend API's URL: this process's api when it runs here, else \
                 --backend-url / MIGRATIONAI_BACKEND_URL"
            }
            Need::AdminApiUrl => {
                "the admin API's URL: this process's admin-api when it runs here, else \
                 --backend-url / MIGRATIONAI_BACKEND_URL"
            }
        }
    }
}

impl Role {
    /// What the role needs opened directly (`Plan` adds what those need).
    pub const fn needs(self) -> &'static [Need] {
        match self {
            Role::Api | Role::AdminApi | Role::Tfp => &[Need::App, Need::ServicesDb, Need::Cache],
            Role::Web => &[Need::ApiUrl],
            Role::AdminWeb => &[Need::AdminApiUrl],
            // A worker host consumes queues the Terraform (or `up`) made: it opens the
            // adapters without ensuring queues.
            Role::Worker => &[Need::Adapters],
        }
    }

    /// What starting the role does, once its needs are open.
    pub const fn about(self) -> &'static str {
        match self {
            Role::Api => "serves the backend REST API (/v1), with the cache invalidator",
            Role::AdminApi => {
                "creates the configured operator (MIGRATIONAI_ADMIN_EMAIL) when missing; \
                 serves the admin REST API (/admin/v1), with the throughput sampler"
            }
            Role::Web => "serves the firm web app, calling the backend API over HTTP",
            Role::AdminWeb => "serves the admin console, calling the admin API over HTTP",
            Role::Tfp => "polls for uploads to analyse and jobs to plan; serves /health",
            Role::Worker => "long-polls every selected queue with its handler",
        }
    }
}

/// What a process with some roles opens, in order, and the order it starts the roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub needs: Vec<Need>,
    pub roles: Vec<Role>,
}

impl Plan {
    pub fn of(roles: &Roles) -> Plan {
        let mut needs = BTreeSet::new();
        let mut todo: Vec<Need> = roles
            .iter()
            .flat_map(|r| r.needs().iter().copied())
            .collect();
        while let Some(need) = todo.pop() {
            if needs.insert(need) {
                todo.extend(need.after());
            }
        }
        // `Need`'s order puts each need after what it needs (a unit test holds it to that).
        Plan {
            needs: needs.into_iter().collect(),
            roles: roles.iter().collect(),
        }
    }

    pub fn needs(&self, need: Need) -> bool {
        self.needs.contains(&need)
    }
}

impl fmt::Display for Plan {
    /// One step a line: what is opened, what starts, then the wait and the drain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut step = 0;
        let mut line = |f: &mut fmt::Formatter<'_>, verb: &str, name: &str, about: &str| {
            step += 1;
            writeln!(f, "{step:>2}. {verb:<5} {name:<13} {about}")
        };
        for need in &self.needs {
            line(f, "open", need.name(), need.about())?;
        }
        for role in &self.roles {
            line(f, "start", role.name(), role.about())?;
        }
        line(f, "wait", "signal", "until SIGTERM or SIGINT")?;
        line(
            f,
            "drain",
            "roles",
            "HTTP requests in flight finish (up to 10 s), tfp's analysis in hand ends, workers \
             finish the batches in hand (--drain-timeout); then the process exits 0",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_need_comes_after_what_it_needs() {
        for need in Need::ALL {
            for before in need.after() {
                assert!(
                    before < &need,
                    "{} must open before {}",
                    before.name(),
                    need.name()
                );
            }
        }
    }

    #[test]
    fn a_plan_holds_the_closure_of_its_roles_needs() {
        let api = Plan::of(&Roles::one(Role::Api));
        assert_eq!(
            api.needs,
            vec![Need::Adapters, Need::App, Need::ServicesDb, Need::Cache]
        );
        assert_eq!(api.roles, vec![Role::Api]);
        // A frontend opens nothing: it holds no data.
        assert_eq!(Plan::of(&Roles::one(Role::Web)).needs, vec![Need::ApiUrl]);
        assert_eq!(
            Plan::of(&Roles::one(Role::Worker)).needs,
            vec![Need::Adapters]
        );
        for role in Role::ALL {
            let plan = Plan::of(&Roles::one(role));
            for need in &plan.needs {
                for before in need.after() {
                    assert!(plan.needs(*before), "{role}: {need:?} without {before:?}");
                }
            }
        }
    }

    #[test]
    fn all_plans_the_union_of_every_role() {
        let all = Plan::of(&Roles::all());
        let mut union: Vec<Need> = Role::ALL
            .into_iter()
            .flat_map(|r| Plan::of(&Roles::one(r)).needs)
            .collect();
        union.sort();
        union.dedup();
        assert_eq!(all.needs, union);
        assert_eq!(all.needs, Need::ALL.to_vec());
        assert_eq!(all.roles, Role::ALL.to_vec());
    }

    #[test]
    fn the_explanation_lists_openings_then_starts_in_order() {
        let text = Plan::of(&"web,api".parse().expect("roles")).to_string();
        let lines: Vec<&str> = text.lines().collect();
        let at = |word: &str| {
            lines
                .iter()
                .position(|l| l.split_whitespace().nth(2) == Some(word))
                .unwrap_or_else(|| panic!("no {word} in {text}"))
        };
        assert!(
            at("adapters") < at("app") && at("app") < at("services-db"),
            "{text}"
        );
        assert!(at("cache") < at("api") && at("api") < at("web"), "{text}");
        assert!(
            at("web") < at("signal") && at("signal") < at("roles"),
            "{text}"
        );
    }
}
