//! The seam between what a push decides and how calls reach Filevine: the HTTP gateway
//! sends them; a dry run records them.

use async_trait::async_trait;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::FvError;
use crate::ops::Call;

#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends one gateway call; the answer's JSON (`Null` for an empty body).
    async fn call(&self, call: Call) -> Result<Value, FvError>;

    /// PUTs a file to a pre-signed upload URL, with its MD5 for the store to check.
    async fn upload(&self, url: &str, content_type: &str, bytes: Bytes) -> Result<(), FvError>;

    /// GETs a file from a pre-signed download URL.
    async fn download(&self, url: &str) -> Result<Bytes, FvError>;
}

/// Sends a call and decodes its answer; an answer that does not decode breaks the contract.
pub async fn call_as<T: DeserializeOwned>(t: &dyn Transport, call: Call) -> Result<T, FvError> {
    let op = call.op;
    let value = t.call(call).await?;
    serde_json::from_value(value)
        .map_err(|e| FvError::permanent(op.to_string(), format!("unexpected answer: {e}")))
}

/// Sends a lookup; a 404 is "not there".
pub async fn find<T: DeserializeOwned>(
    t: &dyn Transport,
    call: Call,
) -> Result<Option<T>, FvError> {
    match call_as(t, call).await {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}
