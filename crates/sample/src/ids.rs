//! Source ids: a prefix and a zero-padded number per kind, the way many systems show them.

use migrationai_domain::Kind;

/// Prefix and digit count of a kind's ids; wide enough for the large sample.
pub(crate) fn shape(kind: Kind) -> (&'static str, usize) {
    match kind {
        Kind::Contacts => ("C", 6),
        Kind::Projects => ("M", 6),
        Kind::Sections => ("CF", 7),
        Kind::Notes => ("N", 7),
        Kind::Calendar => ("EV", 7),
        Kind::Tasks => ("T", 7),
        Kind::BillingItems => ("A", 7),
        Kind::ProjectFunds => ("TX", 7),
        Kind::BillingInvoice => ("B", 6),
        Kind::Payment => ("P", 7),
        Kind::ProjectEmail => ("EM", 6),
        Kind::Document => ("D", 6),
    }
}

/// The id of the `n`-th record (1-based) of a kind.
pub(crate) fn id(kind: Kind, n: usize) -> String {
    let (prefix, width) = shape(kind);
    format!("{prefix}{n:0width$}")
}
