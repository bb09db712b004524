//! Documents: an upload URL (`POST /Documents`), the upload itself to a pre-signed URL (here
//! `/s3/upload/...`, checked against `Content-MD5` as S3 does), then "Add Document to
//! Project" to commit it. Committed documents are listed by `DocumentSeries` and downloaded
//! through a locator's pre-signed URL.

use axum::body::Body;
use axum::extract::{Path, Query as Q, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use bytes::Bytes;
use chrono::Utc;
use md5::{Digest, Md5};
use serde_json::{json, Map, Value};
use std::sync::Arc;

use crate::http::{
    self, body, identifier, optional_body, partner_of, query_int, resolve_int, stamp, Answer,
    ApiError, Query,
};
use crate::state::{Document, State as Org};
use crate::Shared;

const SCOPE: &str = "Document";

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/fv-app/v2/Documents", post(upload_url))
        .route("/fv-app/v2/Documents/{documentId}", get(read))
        .route("/fv-app/v2/Documents/{documentId}/locator", get(locator))
        .route(
            "/fv-app/v2/Projects/{projectId}/Documents/{documentId}",
            post(add_to_project),
        )
        .route("/fv-app/v2/DocumentSeries", get(series))
}

/// The pre-signed storage URLs: no bearer token, as with S3.
pub fn storage() -> Router<Arc<Shared>> {
    Router::new()
        .route("/s3/upload/{key}", put(upload))
        .route("/s3/download/{key}", get(download))
}

fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

fn view(org: &Org, d: &Document, user: i64) -> Value {
    json!({
        "DocumentId": org.identifier(SCOPE, d.id),
        "Filename": d.filename,
        "FolderName": "Documents",
        "Size": d.size,
        "CurrentVersion": "1",
        "FolderId": { "Native": 0 },
        "ProjectId": d.project.map(|p| org.identifier("Project", p)),
        "UploaderId": { "Native": user },
        "UploadDate": stamp(d.uploaded),
        "Hashtags": [],
        "OrgID": 0,
        "Links": {},
    })
}

fn key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

async fn upload_url(State(s): State<Arc<Shared>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    let req = body(&headers, &bytes)?;
    let filename = http::required_string(&req, "Filename")
        .map_err(|_| ApiError::bad("Filename is required and must not be blank"))?;
    let size = http::integer(&req, "Size")?.ok_or_else(|| ApiError::bad("Size is required"))?;
    if size < 0 {
        return Err(ApiError::bad("Size must not be negative"));
    }
    if req.get("FolderId").is_some_and(|f| !f.is_null())
        && req.get("ProjectId").is_none_or(Value::is_null)
    {
        return Err(ApiError::bad("FolderId is supplied without ProjectId"));
    }
    let partner = partner_of(req.get("DocumentId"))?;
    let mut org = s.state();
    // A project that does not resolve is a 422 below, as Filevine answers it.
    let project = identifier(&org, "Project", req.get("ProjectId")).unwrap_or_default();
    if req.get("ProjectId").is_some_and(|p| !p.is_null())
        && project.is_none_or(|p| !org.projects.contains_key(&p))
    {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Project Id could not be found".into(),
        ));
    }
    // A partner id already given to a document names that document: a new URL for it.
    let existing = partner
        .as_ref()
        .and_then(|p| org.partner_native(SCOPE, p))
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| org.documents.contains_key(n));
    let id = match existing {
        Some(id) => {
            s.replayed(SCOPE);
            if let Some(d) = org.documents.get_mut(&id) {
                d.filename = filename.clone();
                d.size = size;
            }
            id
        }
        None => {
            let id = org.next();
            if let Some(p) = &partner {
                org.set_partner(SCOPE, &id.to_string(), p)
                    .map_err(ApiError::bad)?;
            }
            org.documents.insert(
                id,
                Document {
                    id,
                    project,
                    filename: filename.clone(),
                    size,
                    content: None,
                    committed: false,
                    uploaded: Utc::now(),
                },
            );
            id
        }
    };
    let k = key();
    org.uploads.insert(k.clone(), id);
    Ok(Json(json!({
        "DocumentId": org.identifier(SCOPE, id),
        "ContentType": content_type(&filename),
        "Url": format!("{}/s3/upload/{k}", s.base),
        "Links": {},
    })))
}

fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

/// The pre-signed PUT. A bearer token is a second auth mechanism, which S3 refuses; a
/// `Content-MD5` that does not match the body is refused as S3 does.
async fn upload(
    State(s): State<Arc<Shared>>,
    Path(k): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    if headers.contains_key(header::AUTHORIZATION) {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
        );
    }
    let digest = Md5::digest(&bytes);
    if let Some(md5) = headers.get("content-md5").and_then(|v| v.to_str().ok()) {
        let sent = base64::engine::general_purpose::STANDARD.decode(md5.trim());
        match sent {
            Ok(sent) if sent.as_slice() == digest.as_slice() => {}
            Ok(_) => {
                return s3_error(
                    StatusCode::BAD_REQUEST,
                    "BadDigest",
                    "The Content-MD5 you specified did not match what we received.",
                )
            }
            Err(_) => {
                return s3_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidDigest",
                    "The Content-MD5 you specified was invalid.",
                )
            }
        }
    }
    let mut org = s.state();
    let Some(id) = org.uploads.get(&k).copied() else {
        return s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    };
    if let Some(d) = org.documents.get_mut(&id) {
        d.size = bytes.len() as i64;
        d.content = Some(bytes);
        d.uploaded = Utc::now();
    }
    let mut res = StatusCode::OK.into_response();
    if let Ok(etag) = format!("\"{}\"", hex::encode(digest)).parse() {
        res.headers_mut().insert(header::ETAG, etag);
    }
    res
}

async fn download(State(s): State<Arc<Shared>>, Path(k): Path<String>) -> Response {
    let org = s.state();
    let content = org
        .downloads
        .get(&k)
        .and_then(|id| org.documents.get(id))
        .and_then(|d| d.content.clone().map(|c| (c, content_type(&d.filename))));
    match content {
        Some((bytes, ct)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, ct)],
            Body::from(bytes),
        )
            .into_response(),
        None => s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired"),
    }
}

/// Commits an uploaded document to a project; without this it stays pending and unlisted.
async fn add_to_project(
    State(s): State<Arc<Shared>>,
    Path((raw_project, raw_doc)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    optional_body(&headers, &bytes)?;
    let mut org = s.state();
    let project = resolve_int(&org, "Project", &raw_project)?;
    if !org.projects.contains_key(&project) {
        return Err(ApiError::not_found(format!(
            "Project {project} was not found"
        )));
    }
    let id = resolve_int(&org, SCOPE, &raw_doc)?;
    let d = org
        .documents
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("Document {id} was not found")))?;
    if d.content.is_none() {
        return Err(ApiError::bad(format!("Document {id} has no uploaded file")));
    }
    let before = d.project.replace(project);
    d.committed = true;
    let d = d.clone();
    if let Some(before) = before {
        org.index.documents.remove(before, &id);
    }
    org.index.documents.add(project, id);
    Ok(Json(view(&org, &d, s.config.credentials.user_id)))
}

fn committed<'a>(org: &'a Org, raw: &str) -> Result<&'a Document, ApiError> {
    let id = resolve_int(org, SCOPE, raw)?;
    org.documents
        .get(&id)
        .filter(|d| d.committed)
        .ok_or_else(|| {
            ApiError::forbidden("The caller lacks access to the document, or it does not exist")
        })
}

async fn read(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let org = s.state();
    let d = committed(&org, &raw)?;
    Ok(Json(view(&org, d, s.config.credentials.user_id)))
}

async fn locator(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let mut org = s.state();
    let d = committed(&org, &raw)?;
    let (id, ct) = (d.id, content_type(&d.filename));
    let k = key();
    org.downloads.insert(k.clone(), id);
    Ok(Json(json!({
        "Links": {},
        "DocumentId": org.identifier(SCOPE, id),
        "ContentType": ct,
        "Url": format!("{}/s3/download/{k}", s.base),
        "AntivirusScanResult": [],
        "VersionKey": format!("doc-{id}-v1"),
    })))
}

/// Committed documents after `lastId`, in id order (cursor paging: `LastID`, no `Offset`).
async fn series(State(s): State<Arc<Shared>>, Q(q): Q<Query>) -> Answer {
    let limit = query_int(&q, "limit")?.unwrap_or(50);
    if limit < 0 {
        return Err(ApiError::bad("limit must not be negative"));
    }
    let limit = (limit as usize).min(1000);
    let last = query_int(&q, "lastId")?.unwrap_or(0);
    let org = s.state();
    let project = match q.get("projectId") {
        Some(raw) => {
            let id = resolve_int(&org, "Project", raw)?;
            if !org.projects.contains_key(&id) {
                return Err(ApiError::not_found(format!("Project {id} was not found")));
            }
            Some(id)
        }
        None => None,
    };
    let of_project: Box<dyn Iterator<Item = &Document>> = match project {
        Some(p) => Box::new(
            org.index
                .documents
                .of(p)
                .filter_map(|id| org.documents.get(id))
                .filter(move |d| d.project == Some(p)),
        ),
        None => Box::new(org.documents.values()),
    };
    let mut matching = of_project.filter(|d| d.committed && d.id > last);
    let page: Vec<&Document> = matching.by_ref().take(limit).collect();
    let has_more = matching.next().is_some();
    let last_id = page.last().map(|d| d.id);
    let items: Vec<Value> = page
        .iter()
        .map(|d| view(&org, d, s.config.credentials.user_id))
        .collect();
    let mut out = Map::new();
    out.insert("Count".into(), Value::from(items.len()));
    out.insert(
        "LastID".into(),
        last_id.map(Value::from).unwrap_or(Value::Null),
    );
    out.insert("Limit".into(), Value::from(limit));
    out.insert("HasMore".into(), Value::Bool(has_more));
    out.insert("Links".into(), json!({}));
    out.insert("Items".into(), Value::Array(items));
    Ok(Json(Value::Object(out)))
}
