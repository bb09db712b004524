//! Walking a kind's records page by page, so reconciliation and digests hold one page of a
//! job in memory rather than the whole job.

use std::collections::BTreeMap;

use migrationai_domain::{Kind, Value};
use migrationai_ports::store::{RecordRow, Store};

use crate::error::ProcessingError;

/// Records per page: large enough that the per-query cost vanishes, small enough to be a
/// few MiB.
pub const PAGE: usize = 2_000;

/// A stored record with its data decoded: what a push delivers (the target port's record).
pub use migrationai_ports::target::Record as Loaded;

#[derive(serde::Deserialize)]
struct Data {
    #[serde(default)]
    fields: BTreeMap<String, Value>,
    #[serde(default)]
    files: Vec<serde_json::Value>,
}

/// A stored record with its data decoded. Data that is not the JSON the handlers write
/// (a damaged row) is an error naming the record and its source row: read as empty, it
/// would be reconciled as a record with no fields.
pub fn decode(r: RecordRow) -> Result<Loaded, ProcessingError> {
    let data = serde_json::from_str::<Data>(&r.data).map_err(|source| ProcessingError::Json {
        what: format!(
            "the stored {} record {:?} ({} row {})",
            r.kind, r.source_id, r.file, r.row
        ),
        source,
    })?;
    Ok(Loaded {
        source_id: r.source_id,
        file: r.file,
        row: r.row,
        fields: data.fields,
        files: data.files,
    })
}

/// The records of one kind of one job, in source id order.
pub struct Pages<'a> {
    store: &'a dyn Store,
    tenant: &'a str,
    job: &'a str,
    kind: Kind,
    after: Option<String>,
    done: bool,
    size: usize,
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
            size: PAGE,
        }
    }

    /// Pages of `size` records instead (at least one).
    pub fn of_size(mut self, size: usize) -> Self {
        self.size = size.max(1);
        self
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
                self.size,
            )
            .await?;
        self.done = page.len() < self.size;
        match page.last() {
            Some(last) => self.after = Some(last.source_id.clone()),
            None => return Ok(None),
        }
        Ok(Some(page))
    }

    /// The next page, decoded.
    pub async fn next(&mut self) -> Result<Option<Vec<Loaded>>, ProcessingError> {
        self.next_rows()
            .await?
            .map(|p| p.into_iter().map(decode).collect())
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use migrationai_domain::{Kind, Value};
    use migrationai_ports::store::RecordRow;

    fn row(data: &str) -> RecordRow {
        RecordRow {
            kind: Kind::Contacts,
            source_id: "C7".into(),
            canonical_id: "c-C7".into(),
            file: "people.csv".into(),
            row: 9,
            data: data.into(),
        }
    }

    #[test]
    fn stored_data_decodes_and_damaged_data_is_an_error_naming_the_row() {
        let data = serde_json::json!({
            "fields": { "first_name": Value::Text("Ann".into()) },
            "files": [],
        });
        let loaded = super::decode(row(&data.to_string())).expect("decodes");
        assert_eq!(
            loaded.fields.get("first_name"),
            Some(&Value::Text("Ann".into()))
        );
        let e = super::decode(row("{\"fields\": tru")).expect_err("damaged data");
        let text = e.chain();
        assert!(
            text.contains("contacts record \"C7\" (people.csv row 9)"),
            "{text}"
        );
    }
}
