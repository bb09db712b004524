//! The roles a process runs as: the subcommands that start one.

/// A role, named as its subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Api,
    AdminApi,
    Web,
    AdminWeb,
    Tfp,
    Up,
    Worker,
    Lambda,
    /// `migrate`, `jobs`, `report`, `queues`, `dlq`, `inspect`.
    Operator,
    Bench,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Api,
        Role::AdminApi,
        Role::Web,
        Role::AdminWeb,
        Role::Tfp,
        Role::Up,
        Role::Worker,
        Role::Lambda,
        Role::Operator,
        Role::Bench,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Api => "api",
            Role::AdminApi => "admin-api",
            Role::Web => "web",
            Role::AdminWeb => "admin-web",
            Role::Tfp => "tfp",
            Role::Up => "up",
            Role::Worker => "worker",
            Role::Lambda => "lambda",
            Role::Operator => "operator",
            Role::Bench => "bench",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
