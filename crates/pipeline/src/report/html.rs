//! The report as one self-contained HTML page (no scripts, no external files).

use std::fmt::Write;

use super::Report;
use migrationai_domain::Kind;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render(r: &Report) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Reconciliation: {name}</title>\
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}table{{border-collapse:collapse;margin:1rem 0}}\
td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}th{{background:#f3f3f3}}.num{{text-align:right}}\
.ok{{color:#176b2c}}.bad{{color:#a11}}.verdict{{border:3px solid;padding:.6rem 1rem;margin:1rem 0}}\
.verdict.ok{{border-color:#176b2c}}.verdict.bad{{border-color:#a11}}.every{{font-weight:bold;font-size:1.1rem}}</style></head><body><h1>Reconciliation: {name}</h1>",
        name = esc(&r.job_name)
    );
    verdict(&mut h, r);
    let _ = write!(
        h,
        "<p>Export <code>{}</code>, currency {}.</p>",
        esc(&r.export),
        esc(&r.currency),
    );
    let problems = r.problems();
    if !problems.is_empty() {
        let _ = write!(h, "<h2>Problems ({})</h2><ul>", problems.len());
        for p in &problems {
            let _ = write!(h, "<li>{}</li>", esc(p));
        }
        h.push_str("</ul>");
    }
    h.push_str("<h2>Rows per kind</h2><table><tr><th>kind</th><th>source rows</th><th>loaded</th><th>rejected</th><th>orphans</th></tr>");
    for (kind, c) in &r.kinds {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
            esc(kind),
            c.source_rows,
            c.loaded,
            c.rejected,
            r.orphans.get(kind).copied().unwrap_or(0)
        );
    }
    h.push_str("</table>");
    if let Some(f) = &r.filevine {
        filevine(&mut h, f);
    }
    let money_table =
        |h: &mut String,
         title: &str,
         col: &str,
         map: &std::collections::BTreeMap<String, rust_decimal::Decimal>| {
            let _ = write!(
                h,
                "<h2>{}</h2><table><tr><th>{}</th><th>amount</th></tr>",
                esc(title),
                esc(col)
            );
            for (k, v) in map {
                let _ = write!(h, "<tr><td>{}</td><td class=num>{}</td></tr>", esc(k), v);
            }
            h.push_str("</table>");
        };
    money_table(
        &mut h,
        "Trust balance per matter",
        "matter",
        &r.trust_by_project,
    );
    money_table(
        &mut h,
        "Trust balance per client",
        "client",
        &r.trust_by_client,
    );
    if !r.trust_mismatches.is_empty() {
        h.push_str("<h2>Trust mismatches</h2><table><tr><th>matter</th><th>source column</th><th>source</th><th>ledger</th></tr>");
        for m in &r.trust_mismatches {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
                esc(&m.project_id),
                esc(&m.source_column),
                m.source_balance,
                m.computed_balance
            );
        }
        h.push_str("</table>");
    }
    if !r.negative_trust.is_empty() {
        h.push_str("<h2>Negative trust balances</h2><ul>");
        for n in &r.negative_trust {
            let _ = write!(
                h,
                "<li class=bad>{} {}: {}</li>",
                esc(&n.scope),
                esc(&n.id),
                n.balance
            );
        }
        h.push_str("</ul>");
    }
    money_table(
        &mut h,
        "Accounts receivable per matter",
        "matter",
        &r.receivable_by_project,
    );
    if !r.invoice_mismatches.is_empty() {
        h.push_str("<h2>Invoice balance mismatches</h2><table><tr><th>invoice</th><th>source balance due</th><th>total − payments</th></tr>");
        for m in &r.invoice_mismatches {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
                esc(&m.invoice_id),
                m.source_balance_due,
                m.computed_balance
            );
        }
        h.push_str("</table>");
    }
    if !r.keys.is_empty() {
        h.push_str(
            "<h2>Keys</h2><p>Tables whose ids are not a column mapped to the id field:</p><ul>",
        );
        for (table, key) in &r.keys {
            let _ = write!(h, "<li>{}: {}</li>", esc(table), esc(key));
        }
        h.push_str("</ul>");
    }
    if !r.files.is_empty() {
        let _ = write!(h, "<h2>Files of the export ({})</h2><table><tr><th>file</th><th>role</th><th>kind</th><th>encoding</th><th>loaded</th><th>rejected</th><th>check</th></tr>", r.files.len());
        for f in &r.files {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.path),
                f.role.as_str(),
                esc(f.kind.as_deref().unwrap_or("")),
                esc(f.encoding.as_deref().unwrap_or("")),
                f.loaded,
                f.rejected,
                esc(&f.problem().unwrap_or_else(|| {
                    std::iter::once("read".to_string())
                        .chain(f.notes.iter().cloned())
                        .collect::<Vec<_>>()
                        .join("; ")
                }))
            );
        }
        h.push_str("</table>");
        let undecided: Vec<_> = r
            .files
            .iter()
            .flat_map(|f| f.undecided.iter().map(move |c| (f, c)))
            .collect();
        if !undecided.is_empty() {
            let _ = write!(h, "<h3>Columns no field takes ({})</h3><p>Their values are in no record. Map a column, or set it to \"ignore\" in the mapping to leave it out on purpose.</p><table><tr><th>file</th><th>column</th><th>values</th><th>holds</th></tr>", undecided.len());
            for (f, c) in undecided {
                let holds = c.holds.as_str();
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{holds}</td></tr>",
                    esc(&f.path),
                    esc(&c.header),
                    c.values
                );
            }
            h.push_str("</table>");
        }
    }
    let _ = write!(
        h,
        "<h2>Documents</h2><p>{} documents and {} emails stored with matching checksums; {} problems.</p>",
        r.documents.len(),
        r.email_attachments.len(),
        r.document_problems.len()
    );
    duplicates(&mut h, r);
    let _ = write!(h, "<h2>Rejected rows ({})</h2><table><tr><th>kind</th><th>file</th><th>row</th><th>source id</th><th>field</th><th>code</th><th>reason</th></tr>", r.rejects.len());
    for x in &r.rejects {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=num>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(x.kind.as_str()),
            esc(&x.file),
            x.row,
            esc(x.source_id.as_deref().unwrap_or("")),
            esc(&x.field),
            esc(&x.code),
            esc(&x.reason)
        );
    }
    h.push_str("</table></body></html>\n");
    h
}

/// The verdict first: the headline, why not, and the top causes with their fix.
fn verdict(h: &mut String, r: &Report) {
    let v = &r.verdict;
    let class = if v.migrated { "ok" } else { "bad" };
    let _ = write!(
        h,
        "<section class=\"verdict {class}\" id=\"verdict\"><h2 class=\"{class}\">{}</h2>",
        esc(&v.headline())
    );
    let _ = write!(
        h,
        "<p>Accounted for: <strong>{}</strong>. Migrated: <strong>{}</strong> (each kind must load at least {}).</p>",
        if v.accounted_for { "yes" } else { "no" },
        if v.migrated { "yes" } else { "no" },
        esc(&v.threshold.to_string())
    );
    if !v.failures.is_empty() {
        h.push_str("<ul>");
        for f in &v.failures {
            let _ = write!(h, "<li class=bad>{}</li>", esc(f));
        }
        h.push_str("</ul>");
    }
    if !v.causes.is_empty() {
        h.push_str("<h3>Top causes of rejected rows, with their fix</h3><table><tr><th>fix</th><th>rows</th><th>and rows that refer to them</th><th>kind</th><th>file</th><th>field</th><th>code</th><th>example</th></tr>");
        for c in &v.causes {
            let _ = write!(
                h,
                "<tr{}><td>{}{}</td><td class=num>{}</td><td class=num>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if c.every_row { " class=\"bad every\"" } else { "" },
                if c.every_row {
                    format!("EVERY row of {} was rejected for this one reason: ", esc(&c.file))
                } else {
                    String::new()
                },
                esc(&c.fix),
                c.rows,
                c.cascade,
                esc(c.kind.as_str()),
                esc(&c.file),
                esc(&c.field),
                esc(&c.code),
                esc(&c.example)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section>");
}

/// Scored pairs shown in full up to this many; the JSON report has them all.
const PAIRS_SHOWN: usize = 500;

fn duplicates(h: &mut String, r: &Report) {
    let _ = write!(
        h,
        "<h2>Duplicate contacts for review</h2><p>{} groups joined by strong links; {} scored pairs at or above the review line.</p><ul>",
        r.duplicate_groups.len(),
        r.duplicate_pairs.len()
    );
    for g in &r.duplicate_groups {
        let _ = write!(h, "<li>{}</li>", esc(&g.join(", ")));
    }
    h.push_str("</ul>");
    if !r.suspicious_groups.is_empty() {
        let _ = write!(
            h,
            "<h3 class=bad>Suspicious groups ({})</h3><p>More contacts joined than one person plausibly has entries: a shared value (an office phone, a shared mailbox) rather than one person. Review them; nothing is merged.</p><ul>",
            r.suspicious_groups.len()
        );
        for g in &r.suspicious_groups {
            let _ = write!(h, "<li>{} contacts: {}</li>", g.len(), esc(&g.join(", ")));
        }
        h.push_str("</ul>");
    }
    if !r.duplicate_pairs.is_empty() {
        h.push_str("<table><tr><th>contact</th><th>contact</th><th>match probability</th><th>score (bits)</th><th>evidence</th></tr>");
        for p in r.duplicate_pairs.iter().take(PAIRS_SHOWN) {
            let evidence: Vec<String> = p
                .evidence
                .iter()
                .map(|e| format!("{} {} ({:+.1})", e.field, e.outcome, e.weight))
                .collect();
            // The score is the log2 odds that the two are one contact.
            let odds = p.score.exp2();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=num>{:.3}</td><td class=num>{:.1}</td><td>{}</td></tr>",
                esc(&p.a),
                esc(&p.b),
                odds / (1.0 + odds),
                p.score,
                esc(&evidence.join(", "))
            );
        }
        h.push_str("</table>");
    }
}

/// Refusals listed by name before the page only counts them.
const REFUSALS_SHOWN: usize = 500;

fn filevine(h: &mut String, f: &super::filevine::FilevineSection) {
    let (class, word) = if f.delivered() {
        (
            "ok",
            format!(
                "every loaded record is in {} once, with its balances and documents",
                f.target.label()
            ),
        )
    } else {
        (
            "bad",
            "not everything was delivered; the problems above say what".to_string(),
        )
    };
    let _ = write!(
        h,
        "<h2>Delivered to {}</h2><p class={class}>{word}.</p><table><tr><th>kind</th><th>created</th><th>adopted</th><th>updated</th><th>unchanged</th><th>refused</th><th>read back</th><th>missing</th><th>extra</th></tr>",
        f.target.label()
    );
    for (kind, c) in Kind::phases()
        .into_iter()
        .flatten()
        .filter_map(|kind| Some((kind, f.pushed.get(&kind)?)))
    {
        let back = f.read_back.kinds.iter().find(|k| k.kind == kind);
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
            esc(kind.as_str()),
            c.created,
            c.adopted,
            c.updated,
            c.unchanged,
            c.refused,
            back.map_or(0, |k| k.found),
            back.map_or(0, |k| k.missing),
            back.map_or(0, |k| k.extra),
        );
    }
    h.push_str("</table>");
    let rb = &f.read_back;
    let _ = write!(
        h,
        "<p>Checked in Filevine: {} trust balances ({} differ), {} invoice balances ({} differ), {} documents ({} wrong).</p>",
        rb.trust_checked,
        rb.trust_mismatches.len(),
        rb.balances_checked,
        rb.balance_mismatches.len(),
        rb.documents_checked,
        rb.document_problems.len()
    );
    if !f.refused.is_empty() {
        let _ = write!(
            h,
            "<h3 class=bad>Refused ({})</h3><table><tr><th>kind</th><th>file</th><th>row</th><th>source id</th><th>field</th><th>code</th><th>reason</th></tr>",
            f.refused.len()
        );
        for x in f.refused.iter().take(REFUSALS_SHOWN) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=num>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                x.kind,
                esc(&x.file),
                x.row,
                esc(x.source_id.as_deref().unwrap_or("")),
                esc(&x.field),
                esc(&x.code),
                esc(&x.reason)
            );
        }
        h.push_str("</table>");
        if f.refused.len() > REFUSALS_SHOWN {
            let _ = write!(
                h,
                "<p>... and {} more in report.json.</p>",
                f.refused.len() - REFUSALS_SHOWN
            );
        }
    }
}
