//! What can go wrong while writing a sample.

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A bug in the generator, not a problem with the caller's input.
    #[error("sample generator: {0}")]
    Internal(String),
}
