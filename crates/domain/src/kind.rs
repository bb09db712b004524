//! The 12 record kinds (Filevine's resource names) and the 13 queues: one per record kind
//! and the jobs queue, which carries job steps rather than records.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Contacts,
    Projects,
    Sections,
    Notes,
    Calendar,
    Tasks,
    BillingItems,
    ProjectFunds,
    BillingInvoice,
    Payment,
    ProjectEmail,
    Document,
}

impl Kind {
    /// Every record kind, in the seed's order.
    pub const ALL: [Kind; 12] = [
        Kind::Contacts,
        Kind::Projects,
        Kind::Sections,
        Kind::Notes,
        Kind::Calendar,
        Kind::Tasks,
        Kind::BillingItems,
        Kind::ProjectFunds,
        Kind::BillingInvoice,
        Kind::Payment,
        Kind::ProjectEmail,
        Kind::Document,
    ];

    /// The slug used in queue names, URLs and mapping files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Contacts => "contacts",
            Kind::Projects => "projects",
            Kind::Sections => "sections",
            Kind::Notes => "notes",
            Kind::Calendar => "calendar",
            Kind::Tasks => "tasks",
            Kind::BillingItems => "billing-items",
            Kind::ProjectFunds => "project-funds",
            Kind::BillingInvoice => "billing-invoice",
            Kind::Payment => "payment",
            Kind::ProjectEmail => "project-email",
            Kind::Document => "document",
        }
    }

    /// The kind's name for people (the slug is Filevine's resource name, shown beside it).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Contacts => "Contacts",
            Kind::Projects => "Matters",
            Kind::Sections => "Custom data",
            Kind::Notes => "Notes",
            Kind::Calendar => "Calendar",
            Kind::Tasks => "Tasks",
            Kind::BillingItems => "Time and expenses",
            Kind::ProjectFunds => "Trust ledger",
            Kind::BillingInvoice => "Bills",
            Kind::Payment => "Payments",
            Kind::ProjectEmail => "Emails",
            Kind::Document => "Documents",
        }
    }

    /// Kinds whose records this kind refers to; they must be loaded first.
    pub fn depends_on(self) -> &'static [Kind] {
        match self {
            Kind::Contacts => &[],
            Kind::Projects => &[Kind::Contacts],
            Kind::Sections | Kind::Calendar | Kind::Tasks => &[Kind::Projects],
            Kind::Notes | Kind::ProjectFunds => &[Kind::Projects, Kind::Contacts],
            Kind::BillingItems | Kind::ProjectEmail | Kind::Document => &[Kind::Projects],
            Kind::BillingInvoice => &[Kind::Projects, Kind::BillingItems],
            Kind::Payment => &[Kind::BillingInvoice],
        }
    }

    /// The phase a kind runs in: one more than the latest phase it depends on.
    /// Kinds of one phase run concurrently; a phase starts when the previous one is complete.
    pub fn phase(self) -> u8 {
        self.depends_on()
            .iter()
            .map(|k| k.phase() + 1)
            .max()
            .unwrap_or(0)
    }

    /// Entity kinds grouped by phase, in order.
    pub fn phases() -> Vec<Vec<Kind>> {
        let mut phases: Vec<Vec<Kind>> = Vec::new();
        for kind in Kind::ALL {
            let p = kind.phase() as usize;
            if phases.len() <= p {
                phases.resize_with(p + 1, Vec::new);
            }
            phases[p].push(kind);
        }
        phases
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind \"{0}\"; expected one of: contacts, projects, sections, notes, calendar, tasks, billing-items, project-funds, billing-invoice, payment, project-email, document")]
pub struct UnknownKind(pub String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown queue \"{0}\"; expected one of: contacts, projects, sections, notes, calendar, tasks, billing-items, project-funds, billing-invoice, payment, project-email, document, jobs")]
pub struct UnknownQueue(pub String);

/// One of the 13 queues: a record kind's, or the jobs queue that advances each job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueueKind {
    Record(Kind),
    Jobs,
}

impl QueueKind {
    /// Every queue, in the seed's order: the record kinds', then the jobs queue.
    pub const ALL: [QueueKind; 13] = {
        let mut all = [QueueKind::Jobs; 13];
        let mut i = 0;
        while i < Kind::ALL.len() {
            all[i] = QueueKind::Record(Kind::ALL[i]);
            i += 1;
        }
        all
    };

    /// The slug used in queue names (`<env>-migrationai-<slug>`).
    pub fn as_str(self) -> &'static str {
        match self {
            QueueKind::Record(kind) => kind.as_str(),
            QueueKind::Jobs => "jobs",
        }
    }

    /// The queue's name for people.
    pub fn label(self) -> &'static str {
        match self {
            QueueKind::Record(kind) => kind.label(),
            QueueKind::Jobs => "Migration jobs",
        }
    }

    /// The record kind whose records this queue carries; `None` for the jobs queue.
    pub fn record(self) -> Option<Kind> {
        match self {
            QueueKind::Record(kind) => Some(kind),
            QueueKind::Jobs => None,
        }
    }
}

impl From<Kind> for QueueKind {
    fn from(kind: Kind) -> Self {
        QueueKind::Record(kind)
    }
}

impl fmt::Display for QueueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for QueueKind {
    type Err = UnknownQueue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        QueueKind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| UnknownQueue(s.to_string()))
    }
}

impl Serialize for QueueKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for QueueKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let slug = String::deserialize(d)?;
        slug.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_run_in_earlier_phases() {
        for kind in Kind::ALL {
            for parent in kind.depends_on() {
                assert!(parent.phase() < kind.phase(), "{parent} before {kind}");
            }
        }
        assert_eq!(Kind::phases()[0], vec![Kind::Contacts]);
        assert_eq!(Kind::Payment.phase(), 4);
    }

    #[test]
    fn slugs_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(kind));
        }
        assert_eq!("billing_items".parse::<Kind>(), Ok(Kind::BillingItems));
        assert!("matters".parse::<Kind>().is_err());
        assert!("jobs".parse::<Kind>().is_err());
    }

    #[test]
    fn queues_are_the_record_kinds_and_jobs() {
        assert_eq!(QueueKind::ALL[..12], Kind::ALL.map(QueueKind::Record));
        assert_eq!(QueueKind::ALL[12], QueueKind::Jobs);
        for queue in QueueKind::ALL {
            assert_eq!(queue.as_str().parse::<QueueKind>(), Ok(queue));
            let json = serde_json::to_string(&queue).expect("serialise");
            assert_eq!(json, format!("\"{}\"", queue.as_str()));
            assert_eq!(serde_json::from_str::<QueueKind>(&json).ok(), Some(queue));
        }
        assert!("matters".parse::<QueueKind>().is_err());
    }
}
