//! What the caller asks for, and how many rows of each kind a size means.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// About 4,000 rows: fast enough for unit tests.
    Small,
    /// About 500,000 rows: a mid-size firm's history.
    Medium,
    /// About 5,000,000 rows: a load test.
    Large,
}

impl Size {
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Size {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(Size::Small),
            "medium" => Ok(Size::Medium),
            "large" => Ok(Size::Large),
            other => Err(format!(
                "unknown size \"{other}\"; expected small, medium or large"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    pub size: Size,
    pub seed: u64,
    /// The export goes to `<out>/export/` (or `<out>/export.zip`), the truth to
    /// `<out>/ground_truth.json`.
    pub out: PathBuf,
    pub zip: bool,
}

/// Rows to generate per kind (before dirt is added). Documents and emails stay few because
/// each is a real file on disk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub contacts: usize,
    pub matters: usize,
    pub sections: usize,
    pub notes: usize,
    pub calendar: usize,
    pub tasks: usize,
    pub activities: usize,
    pub trust: usize,
    pub bills: usize,
    pub emails: usize,
    pub documents: usize,
    /// Longer surnames keep accidental name collisions rare when there are many people.
    pub varied_surnames: bool,
}

impl Plan {
    pub fn for_size(size: Size) -> Plan {
        let (scale, emails, documents) = match size {
            Size::Small => (1, 40, 60),
            Size::Medium => (130, 1_000, 2_000),
            Size::Large => (1_300, 3_000, 5_000),
        };
        // Small is about 3,900 rows; medium and large are 130 and 1,300 times that, which
        // puts them near 500,000 and 5,000,000 rows.
        let per = |small: usize| small * scale;
        Plan {
            contacts: per(300),
            matters: per(150),
            sections: per(500),
            notes: per(500),
            calendar: per(400),
            tasks: per(400),
            activities: per(800),
            trust: per(350),
            bills: per(200),
            emails,
            documents,
            varied_surnames: size != Size::Small,
        }
    }
}
