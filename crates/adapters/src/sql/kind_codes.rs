//! The number each kind is stored as in `records` (a one-byte integer on SQLite where the
//! word took up to 16 bytes, twice per row: in the table and in its key). Stored rows refer
//! to these: never renumber one; a new kind takes the next free number. Migration 0006
//! converts words to the same numbers.

use migrationai_domain::Kind;

/// The stored number of `kind`.
pub fn code(kind: Kind) -> i64 {
    match kind {
        Kind::Contacts => 1,
        Kind::Projects => 2,
        Kind::Sections => 3,
        Kind::Notes => 4,
        Kind::Calendar => 5,
        Kind::Tasks => 6,
        Kind::BillingItems => 7,
        Kind::ProjectFunds => 8,
        Kind::BillingInvoice => 9,
        Kind::Payment => 10,
        Kind::ProjectEmail => 11,
        Kind::Document => 12,
    }
}

/// The kind stored as `code`, if any.
pub fn kind(code: i64) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| self::code(*k) == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_code_and_reads_back() {
        for k in Kind::ALL {
            assert_eq!(kind(code(k)), Some(k));
        }
        assert_eq!(kind(-1), None);
        assert_eq!(kind(0), None);
    }

    /// Migration 0006 turned stored words into these numbers with a CASE of its own.
    #[test]
    fn the_migration_uses_the_same_numbers() {
        let sql = include_str!("../../migrations/store/0006_compact_records.sql");
        for k in Kind::ALL {
            let line = format!("WHEN '{}' THEN {}", k.as_str(), code(k));
            assert!(sql.contains(&line), "{line}");
        }
    }
}
