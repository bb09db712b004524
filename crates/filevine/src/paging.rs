//! Reading whole lists: `offset`/`limit` pages of an `ItemList` until `HasMore` is false,
//! and the cursor pages (`lastId`) of `DocumentSeries`.

use serde::de::DeserializeOwned;

use crate::error::FvError;
use crate::ops::{Call, Op};
use crate::transport::{call_as, Transport};
use crate::wire::billing::{ProjectFundTransaction, ProjectFundsListResponse};
use crate::wire::document::Document;
use crate::wire::ItemList;

/// The largest page the gateway gives.
pub const PAGE: usize = 1000;

/// Every item of an offset-paged list.
pub async fn all<T: DeserializeOwned>(t: &dyn Transport, call: Call) -> Result<Vec<T>, FvError> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    loop {
        let page: ItemList<T> =
            call_as(t, call.clone().query("offset", offset).query("limit", PAGE)).await?;
        let n = page.items.len();
        out.extend(page.items);
        // HasMore decides; a list without it ends on a short page.
        let more = page.has_more.unwrap_or(n == PAGE);
        if n == 0 || !more {
            return Ok(out);
        }
        offset += n;
    }
}

/// Every fund transaction of a project (`ProjectFundsListResponse` has no `HasMore`: a
/// short page ends it).
pub async fn funds(
    t: &dyn Transport,
    project: i64,
    on: Option<&str>,
) -> Result<Vec<ProjectFundTransaction>, FvError> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    loop {
        let mut call = Call::new(Op::FundList)
            .arg(project)
            .query("offset", offset)
            .query("limit", PAGE);
        if let Some(day) = on {
            call = call.query("startDate", day).query("endDate", day);
        }
        let page: ProjectFundsListResponse = call_as(t, call).await?;
        let n = page.project_funds.len();
        out.extend(page.project_funds);
        if n < PAGE {
            return Ok(out);
        }
        offset += n;
    }
}

/// Every committed document of a project, through `DocumentSeries`' cursor.
pub async fn documents(t: &dyn Transport, project: i64) -> Result<Vec<Document>, FvError> {
    let mut out: Vec<Document> = Vec::new();
    let mut last: Option<i64> = None;
    loop {
        let mut call = Call::new(Op::DocumentSeries)
            .query("projectId", project)
            .query("limit", PAGE);
        if let Some(l) = last {
            call = call.query("lastId", l);
        }
        let page: ItemList<Document> = call_as(t, call).await?;
        let n = page.items.len();
        let next = page.last_id.or_else(|| {
            page.items
                .iter()
                .filter_map(|d| d.document_id.as_ref()?.native)
                .max()
        });
        out.extend(page.items);
        let more = page.has_more.unwrap_or(n == PAGE);
        match next {
            Some(l) if n > 0 && more && Some(l) != last => last = Some(l),
            _ => return Ok(out),
        }
    }
}
