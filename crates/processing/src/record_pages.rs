//! Walking a kind's records page by page, so reconciliation and digests hold one page of a
//! job in memory rather than the whole job.

use std::collections::BTreeMap;

use migrationai_domain::{Kind, Value};
use migrationai_ports::store::{RecordRow, Store};

use crate::error::ProcessingError;

/// Records per page: large enough that the per-query cost vanishes, small enough to be a
/// few MiB.
pub const PAGE: usize = 2_000;

/// A stored record with its data decoded.
pub struct Loaded {
    pub source_id: String,
    pub file: String,
    pub row: i64,
    pub fields: BTreeMap<String, Value>,
    pub files: Vec<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct Data {
    #[serde(default)]
    fields: BTreeMap<String, Value>,
    #[serde(default)]
    files: Vec<serde_json::Value>,
}

pub fn decode(r: RecordRow) -> Loaded {
    let data = serde_json::from_str::<Data>(&r.data).unwrap_or(Data {
        fields: BTreeMap::new(),
        files: Vec::new(),
    });
    Loaded {
        source_id: r.source_id,
        file: r.file,
        row: r.row,
        fields: data.fields,
        files: data.files,
    }
}

/// The records of one kind of one job, in source id order.
pub struct Pages<'a> {
    store: &'a dyn Store,
    tenant: &'a str,
    job: &'a str,
    kind: Kind,
    after: Option<String>,
    done: bool,
}

impl<'a> Pages<'a> {
    pub fn new(store: &'a dyn Store, tenant: &'a str, job: &'a str, kind: Kind) -> Self {
        Pages {
            store,
            tenant,
            job,
            kind,
            after: None,
            done: false,
        }
    }

    /// The next page as stored; None once the kind is walked.
    pub async fn next_rows(&mut self) -> Result<Option<Vec<RecordRow>>, ProcessingError> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .store
            .records_page(
                self.tenant,
                self.job,
                self.kind,
                self.after.as_deref(),
                PAGE,
            )
            .await?;
        self.done = page.len() < PAGE;
        match page.last() {
            Some(last) => self.after = Some(last.source_id.clone()),
            None => return Ok(None),
        }
        Ok(Some(page))
    }

    /// The next page, decoded.
    pub async fn next(&mut self) -> Result<Option<Vec<Loaded>>, ProcessingError> {
        Ok(self
            .next_rows()
            .await?
            .map(|p| p.into_iter().map(decode).collect()))
    }
}
