//! Who reads a variable: a role `run --roles` starts ([`crate::Role`], the one list of
//! roles), or a command that is not one of them.

use crate::Role;

/// A process that reads variables, named as its subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reader {
    /// A long-running role, alone or with others (`migrationai api`, `run --roles api,web`).
    Role(Role),
    /// `up`: every role on one machine, with the demo firm.
    Up,
    /// The Lambda bootstrap of one queue's worker.
    Lambda,
    /// `migrate`, `jobs`, `report`, `queues`, `dlq`, `inspect`, `db setup`.
    Operator,
    Bench,
}

pub const API: Reader = Reader::Role(Role::Api);
pub const ADMIN_API: Reader = Reader::Role(Role::AdminApi);
pub const WEB: Reader = Reader::Role(Role::Web);
pub const ADMIN_WEB: Reader = Reader::Role(Role::AdminWeb);
pub const TFP: Reader = Reader::Role(Role::Tfp);
pub const WORKER: Reader = Reader::Role(Role::Worker);
pub const UP: Reader = Reader::Up;
pub const LAMBDA: Reader = Reader::Lambda;
pub const OPERATOR: Reader = Reader::Operator;
pub const BENCH: Reader = Reader::Bench;

impl Reader {
    /// Every reader, in the table's order.
    pub const ALL: &'static [Reader] = &[
        API, ADMIN_API, WEB, ADMIN_WEB, TFP, UP, WORKER, LAMBDA, OPERATOR, BENCH,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Reader::Role(role) => role.name(),
            Reader::Up => "up",
            Reader::Lambda => "lambda",
            Reader::Operator => "operator",
            Reader::Bench => "bench",
        }
    }
}

impl std::fmt::Display for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_as_itself() {
        for role in Role::ALL {
            assert!(Reader::ALL.contains(&Reader::Role(role)), "{role}");
            assert_eq!(Reader::Role(role).as_str(), role.name());
        }
    }
}
