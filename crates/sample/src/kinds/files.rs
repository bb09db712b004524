//! Emails (.eml files with attachments) and documents (real files under documents/).

use super::matters::Matter;
use super::work::{at, during, missing_matter, pick_matter};
use super::{close, iso_datetime};
use crate::error::SampleError;
use crate::faults::Faults;
use crate::ids;
use crate::people;
use crate::truth::{Intent, Simulator};
use crate::writer::{col, extra, FileSpec, Format, TableWriter, TextEncoding};
use crate::{Plan, Rng};
use chrono::TimeZone;
use migrationai_domain::Kind;
use rand::Rng as _;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

const CSV: Format = Format::Csv {
    delimiter: b',',
    encoding: TextEncoding::Utf8,
    crlf: false,
};

pub(crate) const EMAILS: FileSpec = FileSpec {
    path: "Emails.csv",
    kind: Kind::ProjectEmail,
    format: CSV,
    columns: &[
        col("Message ID", "email_id"),
        col("Matter ID", "project_id"),
        col("Title", "subject"),
        col("Sender", "from"),
        col("Recipients", "to"),
        col("Copy To", "cc"),
        col("Date Sent", "sent_at"),
        col("EML File", "eml_path"),
        extra("Mailbox Folder"),
        extra("Has Attachments"),
    ],
    us_dates: false,
};

pub(crate) const DOCUMENTS: FileSpec = FileSpec {
    path: "Documents.csv",
    kind: Kind::Document,
    format: CSV,
    columns: &[
        col("Doc ID", "document_id"),
        col("Matter", "project_id"),
        col("Relative Path", "file_path"),
        col("Document Name", "name"),
        col("Parent Folder", "folder"),
        col("MIME Type", "content_type"),
        col("File Size", "size_bytes"),
        col("Checksum", "sha256"),
        col("Doc Type", "category"),
        col("Revision", "version"),
        col("Date Added", "uploaded_at"),
        col("Uploaded By", "author"),
        extra("Storage Tier"),
        extra("Legacy Flag"),
    ],
    us_dates: false,
};

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Standard base64 with padding, wrapped at 76 characters as MIME requires.
fn base64_lines(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + bytes.len() / 57 * 2 + 4);
    let mut line = 0;
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * j)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        line += 4;
        if line == 76 {
            out.push_str("\r\n");
            line = 0;
        }
    }
    if line > 0 {
        out.push_str("\r\n");
    }
    out
}

/// Small bytes that look like the named type: enough for checksums and content sniffing.
fn file_bytes(rng: &mut Rng, ext: &str, title: &str) -> Result<Vec<u8>, SampleError> {
    let text = format!("{title}\n\n{}\n{}\n", people::text(rng), people::text(rng));
    Ok(match ext {
        "pdf" => format!(
            "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n% {}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
            text.replace('\n', " ")
        )
        .into_bytes(),
        "docx" => docx(&text)?,
        _ => text.into_bytes(),
    })
}

/// A minimal Word document: a zip with the content-types part and the main document part.
fn docx(text: &str) -> Result<Vec<u8>, SampleError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
    )?;
    zip.start_file("word/document.xml", opts)?;
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{escaped}</w:t></w:r></w:p></w:body></w:document>"#
    )?;
    Ok(zip.finish()?.into_inner())
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "text/plain",
    }
}

pub(crate) fn write_emails(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
    seed: u64,
) -> Result<BTreeMap<String, Vec<String>>, SampleError> {
    std::fs::create_dir_all(root.join("emails"))?;
    let mut w = TableWriter::create(root, EMAILS)?;
    let mut faults = Faults::new(plan.emails, 2);
    let mut truth = BTreeMap::new();
    let ny = chrono_tz::America::New_York;
    for i in 0..plan.emails {
        let Some(m) = pick_matter(rng, matters) else {
            break;
        };
        let id = ids::id(Kind::ProjectEmail, i + 1);
        let sender = people::person(rng, false);
        let from_addr = people::email_for(rng, &sender.first, &sender.last);
        let to_addr = format!(
            "{}@whitfield-law.com",
            people::ascii_fold(&people::staff(rng).replace(". ", ""))
        );
        let cc = if rng.gen_bool(0.3) {
            "paralegal@whitfield-law.com".to_string()
        } else {
            String::new()
        };
        let subject = format!(
            "{} - {}",
            people::pick(
                rng,
                &[
                    "RE: Settlement offer",
                    "Records request",
                    "Hearing date",
                    "Invoice question",
                    "FW: Signed retainer"
                ]
            ),
            m.number
        );
        let local = at(during(rng, m), rng.gen_range(8..19), rng.gen_range(0..60));
        let sent = ny
            .from_local_datetime(&local)
            .earliest()
            .ok_or_else(|| SampleError::Internal(format!("no such time {local}")))?;
        let body = people::text(rng).replace('\n', "\r\n");
        let attachments: Vec<(String, Vec<u8>)> = (0..match rng.gen_range(0..4) {
            0 | 1 => 0,
            2 => 1,
            _ => 2,
        })
            .map(|a| {
                let ext = if a == 0 { "pdf" } else { "txt" };
                let name = format!("Attachment {} ({id}).{ext}", a + 1);
                file_bytes(rng, ext, &subject).map(|b| (name, b))
            })
            .collect::<Result<_, _>>()?;
        let mut eml = format!(
            "From: {} {} <{from_addr}>\r\nTo: <{to_addr}>\r\n{}Subject: {subject}\r\nDate: {}\r\nMessage-ID: <{id}.{seed}@mail.whitfield-law.com>\r\nMIME-Version: 1.0\r\n",
            people::ascii_fold(&sender.first),
            people::ascii_fold(&sender.last),
            if cc.is_empty() { String::new() } else { format!("Cc: <{cc}>\r\n") },
            sent.format("%a, %d %b %Y %H:%M:%S %z"),
        );
        if attachments.is_empty() {
            eml.push_str("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
            eml.push_str(&body);
            eml.push_str("\r\n");
        } else {
            let boundary = format!("=_part_{id}");
            eml.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
            ));
            for (name, bytes) in &attachments {
                let ext = name.rsplit('.').next().unwrap_or("txt");
                eml.push_str(&format!(
                    "--{boundary}\r\nContent-Type: {}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                    content_type(ext),
                    base64_lines(bytes)
                ));
            }
            eml.push_str(&format!("--{boundary}--\r\n"));
        }
        let eml_path = format!("emails/{id}.eml");
        std::fs::write(root.join(&eml_path), eml.as_bytes())?;
        let mut project = m.id.clone();
        let mut from_cell = from_addr.clone();
        let mut intent = Intent::Clean;
        match faults.at(i) {
            Some(0) => {
                from_cell = "paralegal@".into();
                intent = Intent::Fault("from", "invalid_email");
            }
            Some(_) => {
                project = missing_matter(i);
                intent = Intent::Fault("project_id", "orphan_reference");
            }
            None => {}
        }
        let cells = vec![
            id.clone(),
            project,
            subject,
            from_cell,
            to_addr,
            cc,
            sent.to_rfc3339(),
            eml_path,
            people::pick(rng, &["Inbox", "Sent Items", "Client Correspondence"]).into(),
            if attachments.is_empty() { "No" } else { "Yes" }.into(),
        ];
        if super::emit(&mut w, sim, &cells, intent)?.is_some() {
            truth.insert(id, attachments.iter().map(|(_, b)| sha256_hex(b)).collect());
        }
    }
    close(w, sim)?;
    Ok(truth)
}

pub(crate) fn write_documents(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
) -> Result<BTreeMap<String, String>, SampleError> {
    let mut w = TableWriter::create(root, DOCUMENTS)?;
    let mut faults = Faults::new(plan.documents, 3);
    let mut truth = BTreeMap::new();
    for i in 0..plan.documents {
        let Some(m) = pick_matter(rng, matters) else {
            break;
        };
        let id = ids::id(Kind::Document, i + 1);
        let (folder, title) = *people::pick(
            rng,
            &[
                &("Pleadings", "Complaint"),
                &("Pleadings", "Answer to Counterclaim"),
                &("Correspondence", "Letter to Client"),
                &("Correspondence", "Letter to Adjuster"),
                &("Medical Records", "Records, St. Mary's Hospital"),
                &("Billing", "Engagement Letter"),
                &("Discovery", "Interrogatories"),
            ],
        );
        let ext = *people::pick(rng, &[&"pdf", &"docx", &"txt"]);
        let file_name = format!("{title} {id}.{ext}");
        let mut path = format!("documents/{}/{folder}/{file_name}", m.number);
        let bytes = file_bytes(rng, ext, title)?;
        let mut project = m.id.clone();
        let mut intent = Intent::Clean;
        let mut missing = false;
        match faults.at(i) {
            Some(0) => {
                missing = true;
                intent = Intent::Fault("file_path", "missing_file");
            }
            Some(1) => {
                project = missing_matter(i);
                intent = Intent::Fault("project_id", "orphan_reference");
            }
            Some(_) => {
                path = format!("../../outside/{file_name}");
                intent = Intent::Fault("file_path", "path_traversal");
            }
            None => {}
        }
        let sha = sha256_hex(&bytes);
        if !missing && intent != Intent::Fault("file_path", "path_traversal") {
            let full = root.join(&path);
            if let Some(dir) = full.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&full, &bytes)?;
        }
        let cells = vec![
            id.clone(),
            project,
            path,
            title.into(),
            folder.into(),
            content_type(ext).into(),
            bytes.len().to_string(),
            sha.clone(),
            people::pick(
                rng,
                &["Pleading", "Correspondence", "Evidence", "Billing", ""],
            )
            .into(),
            rng.gen_range(1..4).to_string(),
            iso_datetime(at(
                during(rng, m),
                rng.gen_range(8..19),
                rng.gen_range(0..60),
            )),
            people::staff(rng).into(),
            if rng.gen_bool(0.2) {
                "Archive"
            } else {
                "Standard"
            }
            .into(),
            String::new(),
        ];
        let row = w.next_row_number();
        w.write(&cells)?;
        if sim.row(&w, row, &cells, intent, missing).is_some() {
            truth.insert(id, sha);
        }
    }
    close(w, sim).map(|_| truth)
}
