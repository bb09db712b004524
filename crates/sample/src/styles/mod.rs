//! Export styles: how other practice-management systems write a firm's data, each described
//! declaratively (its files, headers, keys and formats) and rendered from the same firm by
//! one shared generator, with the ground truth a correct migration must reach.
//!
//! The descriptions follow what the systems' public help pages say about their exports and
//! import templates: matter numbers as the only key, bill numbers as invoice keys, long-format
//! custom fields without a row id, ledgers in posting order, time and expenses in one file or
//! two, contacts spread over several files. Nothing in the product may know these headers; the
//! corpus exists to prove it reads exports it was not shaped on.

mod clio;
mod cosmolex;
mod firm;
mod mycase;
mod needles;
mod practicepanther;
mod rocketmatter;
mod smokeball;
mod tabs3;

use crate::error::SampleError;
use crate::{Rng, Size};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use firm::{Firm, InvoiceRef, MatterRef};
use migrationai_domain::Kind;
use rand::SeedableRng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// What a table holds, in the firm's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Contact,
    Matter,
    Task,
    Note,
    Event,
    Activity,
    Invoice,
    Payment,
    Trust,
    Custom,
}

impl Entity {
    pub fn kind(self) -> Kind {
        match self {
            Entity::Contact => Kind::Contacts,
            Entity::Matter => Kind::Projects,
            Entity::Task => Kind::Tasks,
            Entity::Note => Kind::Notes,
            Entity::Event => Kind::Calendar,
            Entity::Activity => Kind::BillingItems,
            Entity::Invoice => Kind::BillingInvoice,
            Entity::Payment => Kind::Payment,
            Entity::Trust => Kind::ProjectFunds,
            Entity::Custom => Kind::Sections,
        }
    }
}

/// Which rows of an entity a table holds, when a system splits one entity over files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    All,
    People,
    Companies,
    Time,
    Expenses,
}

/// A fact a column renders; the style's formats decide how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    /// The row's own id, as the style numbers that entity.
    Id,
    /// The row's position within its matter (for keys made of matter and line number).
    Seq,
    MatterRef,
    ClientRef,
    InvoiceRef,
    /// The client's name as a label (not a key).
    ClientName,
    FirstName,
    LastName,
    FullName,
    Company,
    ContactType,
    Email,
    Phone,
    Street,
    City,
    State,
    Zip,
    Created,
    Name,
    PracticeArea,
    Status,
    Opened,
    Closed,
    Attorney,
    BillingMethod,
    Title,
    Due,
    Done,
    Assignee,
    Priority,
    Subject,
    Body,
    At,
    Author,
    Start,
    End,
    AllDay,
    Location,
    ItemType,
    Date,
    Hours,
    Rate,
    Amount,
    Description,
    Timekeeper,
    Billed,
    Total,
    Paid,
    BalanceDue,
    Method,
    Deposit,
    Withdrawal,
    RunningBalance,
    CheckNo,
    Section,
    Field,
    Value,
    /// A vendor column that maps to nothing; the text is its value on every row.
    Constant(&'static str),
    /// A vendor column of row-varying internal codes that maps to nothing.
    Internal,
}

/// One column: its header, what it renders, and the canonical field it holds (the truth).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub header: &'static str,
    pub attr: Attr,
    pub field: Option<&'static str>,
}

pub const fn col(header: &'static str, attr: Attr, field: &'static str) -> Col {
    Col {
        header,
        attr,
        field: Some(field),
    }
}

pub const fn extra(header: &'static str, attr: Attr) -> Col {
    Col {
        header,
        attr,
        field: None,
    }
}

/// One file of a style.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: &'static str,
    pub entity: Entity,
    pub rows: Rows,
    /// The headers whose values together are the row's key; empty: the table has no key and
    /// the migration must derive one.
    pub key: &'static [&'static str],
    pub columns: Vec<Col>,
}

/// How a system numbers one entity: a prefix, zero-padding and a first number.
#[derive(Debug, Clone, Copy)]
pub struct Numbering {
    pub prefix: &'static str,
    pub width: usize,
    pub first: usize,
}

impl Numbering {
    pub const fn new(prefix: &'static str, width: usize, first: usize) -> Numbering {
        Numbering {
            prefix,
            width,
            first,
        }
    }

    pub fn render(&self, n: usize) -> String {
        format!("{}{:0w$}", self.prefix, n + self.first, w = self.width)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Ids {
    pub contact: Numbering,
    pub company: Numbering,
    pub matter: Numbering,
    pub task: Numbering,
    pub note: Numbering,
    pub event: Numbering,
    pub activity: Numbering,
    pub invoice: Numbering,
    pub payment: Numbering,
    pub trust: Numbering,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dates {
    /// 3/14/2023 and 3/14/2023 2:30 PM
    Us,
    /// 03/14/2023 and 03/14/2023 14:30
    UsPadded,
    /// 2023-03-14 and 2023-03-14T14:30:00
    Iso,
    /// 14/03/2023 and 14/03/2023 14:30
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Money {
    /// 1234.50, negatives -1234.50
    Plain,
    /// $1,234.50, negatives ($1,234.50)
    Dollars,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flags {
    YN,
    YesNo,
    TrueFalse,
}

#[derive(Debug, Clone)]
pub struct Style {
    /// A short name for the style, used as its folder name.
    pub name: &'static str,
    /// The system whose exports it is modelled on.
    pub modelled_on: &'static str,
    pub seed: u64,
    pub matters: usize,
    pub ids: Ids,
    pub dates: Dates,
    pub money: Money,
    pub flags: Flags,
    pub tables: Vec<Table>,
}

/// Every style of the corpus.
pub fn all() -> Vec<Style> {
    vec![
        clio::style(),
        practicepanther::style(),
        mycase::style(),
        smokeball::style(),
        cosmolex::style(),
        rocketmatter::style(),
        tabs3::style(),
        needles::style(),
    ]
}

/// The style written at a size. Small is the corpus's own firm, byte for byte; medium and
/// large give the same firm as many times its matters as it takes to write about 500,000 and
/// 5,000,000 rows (the sample's sizes), so every file grows in proportion and the truth is
/// derived the same way.
pub fn at_size(style: &Style, size: Size) -> Style {
    let target = match size {
        Size::Small => return style.clone(),
        Size::Medium => 500_000,
        Size::Large => 5_000_000,
    };
    let rows = source_rows(style).max(1);
    Style {
        matters: (style.matters * target + rows / 2) / rows,
        ..style.clone()
    }
}

/// Rows the style's export holds, over all its files, without writing them.
pub fn source_rows(style: &Style) -> usize {
    let mut rng = Rng::seed_from_u64(style.seed);
    let firm = firm::generate(&mut rng, style.matters);
    let r = Render { style, firm: &firm };
    style.tables.iter().map(|t| r.rows(t).len()).sum()
}

/// The ground truth of one style's export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StyleTruth {
    pub style: String,
    pub modelled_on: String,
    pub files: BTreeMap<String, StyleFile>,
    pub kinds: BTreeMap<Kind, crate::KindCounts>,
    /// Each loaded matter's trust balance (by its key as written).
    pub trust_by_project: BTreeMap<String, Decimal>,
    /// Each loaded invoice's balance after its loaded payments (by its key as written).
    pub invoice_balance: BTreeMap<String, Decimal>,
    /// Reconciliation problems a correct report lists; the corpus's ledgers are all
    /// consistent, so anything a report lists beyond these is a false problem.
    pub reconciliation_problems: Vec<String>,
    /// Contacts entered more than once, by their keys as written: each group is one person
    /// or firm. A namesake (same name, nothing else shared) is in none.
    #[serde(default)]
    pub duplicate_groups: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StyleFile {
    pub kind: Kind,
    pub rows: usize,
    /// The headers whose values are the key; empty: no source key (a derived one is right).
    pub key: Vec<String>,
    pub columns: Vec<crate::ColumnTruth>,
}

/// Writes the style's export into `dir/export` and its truth into `dir/ground_truth.json`.
pub fn write(style: &Style, dir: &Path) -> Result<StyleTruth, SampleError> {
    let export = dir.join("export");
    if export.exists() {
        std::fs::remove_dir_all(&export)?;
    }
    std::fs::create_dir_all(&export)?;
    let mut rng = Rng::seed_from_u64(style.seed);
    let firm = firm::generate(&mut rng, style.matters);
    let mut truth = StyleTruth {
        style: style.name.into(),
        modelled_on: style.modelled_on.into(),
        files: BTreeMap::new(),
        kinds: BTreeMap::new(),
        trust_by_project: BTreeMap::new(),
        invoice_balance: BTreeMap::new(),
        reconciliation_problems: Vec::new(),
        duplicate_groups: Vec::new(),
    };
    let r = Render { style, firm: &firm };
    for table in &style.tables {
        let rows = r.rows(table);
        let path = export.join(table.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_path(&path)?;
        w.write_record(table.columns.iter().map(|c| c.header))?;
        let counts = truth.kinds.entry(table.entity.kind()).or_default();
        for (i, loads) in &rows {
            let cells: Vec<String> = table
                .columns
                .iter()
                .map(|c| r.cell(table.entity, *i, c.attr))
                .collect();
            w.write_record(&cells)?;
            counts.source_rows += 1;
            if *loads {
                counts.loaded += 1;
            } else {
                counts.rejected += 1;
            }
        }
        w.flush()?;
        truth.files.insert(
            table.path.to_string(),
            StyleFile {
                kind: table.entity.kind(),
                rows: rows.len(),
                key: table.key.iter().map(|k| k.to_string()).collect(),
                columns: table
                    .columns
                    .iter()
                    .map(|c| crate::ColumnTruth {
                        header: c.header.to_string(),
                        field: c.field.map(str::to_string),
                    })
                    .collect(),
            },
        );
    }
    r.reconciliation(&mut truth);
    let mut json = serde_json::to_vec_pretty(&truth)?;
    json.push(b'\n');
    std::fs::write(dir.join("ground_truth.json"), json)?;
    Ok(truth)
}

struct Render<'a> {
    style: &'a Style,
    firm: &'a Firm,
}

impl Render<'_> {
    /// The rows a table holds (indexes into the firm's list of its entity) and whether each
    /// loads in a correct migration.
    fn rows(&self, table: &Table) -> Vec<(usize, bool)> {
        let f = self.firm;
        let known = |m: MatterRef| matches!(m, MatterRef::Known(_));
        let all: Vec<(usize, bool)> = match table.entity {
            Entity::Contact => (0..f.contacts.len())
                .filter(|&i| match table.rows {
                    Rows::People => !f.contacts[i].company,
                    Rows::Companies => f.contacts[i].company,
                    _ => true,
                })
                .map(|i| (i, true))
                .collect(),
            Entity::Matter => (0..f.matters.len()).map(|i| (i, true)).collect(),
            Entity::Task => f
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| (i, known(t.matter)))
                .collect(),
            Entity::Note => f
                .notes
                .iter()
                .enumerate()
                .map(|(i, n)| (i, known(n.matter)))
                .collect(),
            Entity::Event => f
                .events
                .iter()
                .enumerate()
                .map(|(i, e)| (i, known(e.matter) && !e.no_start))
                .collect(),
            Entity::Activity => f
                .activities
                .iter()
                .enumerate()
                .filter(|(_, a)| match table.rows {
                    Rows::Time => !a.expense,
                    Rows::Expenses => a.expense,
                    _ => true,
                })
                .map(|(i, a)| (i, known(a.matter)))
                .collect(),
            Entity::Invoice => (0..f.invoices.len()).map(|i| (i, true)).collect(),
            Entity::Payment => f
                .payments
                .iter()
                .enumerate()
                .map(|(i, p)| (i, matches!(p.invoice, InvoiceRef::Known(_))))
                .collect(),
            Entity::Trust => f
                .trust
                .iter()
                .enumerate()
                .map(|(i, t)| (i, known(t.matter)))
                .collect(),
            Entity::Custom => f
                .custom
                .iter()
                .enumerate()
                .map(|(i, c)| (i, known(c.matter)))
                .collect(),
        };
        all
    }

    fn matter_key(&self, m: MatterRef) -> String {
        match m {
            MatterRef::Known(i) | MatterRef::Missing(i) => self.style.ids.matter.render(i),
        }
    }

    fn contact_key(&self, i: usize) -> String {
        let c = &self.firm.contacts[i];
        if c.company {
            self.style.ids.company.render(i)
        } else {
            self.style.ids.contact.render(i)
        }
    }

    fn invoice_key(&self, r: InvoiceRef) -> String {
        match r {
            InvoiceRef::Known(i) | InvoiceRef::Missing(i) => self.style.ids.invoice.render(i),
        }
    }

    fn date(&self, d: NaiveDate) -> String {
        match self.style.dates {
            Dates::Us => format!("{}/{}/{}", d.month(), d.day(), d.year()),
            Dates::UsPadded => d.format("%m/%d/%Y").to_string(),
            Dates::Iso => d.format("%Y-%m-%d").to_string(),
            Dates::Day => d.format("%d/%m/%Y").to_string(),
        }
    }

    fn datetime(&self, t: NaiveDateTime) -> String {
        match self.style.dates {
            Dates::Us => {
                let (pm, h) = t.hour12();
                format!(
                    "{} {h}:{:02} {}",
                    self.date(t.date()),
                    t.minute(),
                    if pm { "PM" } else { "AM" }
                )
            }
            Dates::Iso => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            Dates::UsPadded | Dates::Day => {
                format!("{} {}", self.date(t.date()), t.format("%H:%M"))
            }
        }
    }

    fn money(&self, a: Decimal) -> String {
        let a = a.round_dp(2);
        match self.style.money {
            Money::Plain => format!("{a:.2}"),
            Money::Dollars => {
                let plain = format!("{:.2}", a.abs());
                let (whole, cents) = plain.split_once('.').unwrap_or((plain.as_str(), "00"));
                let mut grouped = String::new();
                for (i, c) in whole.chars().enumerate() {
                    if i > 0 && (whole.len() - i) % 3 == 0 {
                        grouped.push(',');
                    }
                    grouped.push(c);
                }
                if a.is_sign_negative() && !a.is_zero() {
                    format!("(${grouped}.{cents})")
                } else {
                    format!("${grouped}.{cents}")
                }
            }
        }
    }

    fn flag(&self, b: bool) -> String {
        match (self.style.flags, b) {
            (Flags::YN, true) => "Y",
            (Flags::YN, false) => "N",
            (Flags::YesNo, true) => "Yes",
            (Flags::YesNo, false) => "No",
            (Flags::TrueFalse, true) => "TRUE",
            (Flags::TrueFalse, false) => "FALSE",
        }
        .to_string()
    }

    fn cell(&self, entity: Entity, i: usize, attr: Attr) -> String {
        if let Attr::Constant(v) = attr {
            return v.to_string();
        }
        if attr == Attr::Internal {
            // A code that varies by row but is no key: a sync hash of sorts.
            return format!("{:04X}", (i * 2_654_435_761) % 65_521 % 4_096);
        }
        let f = self.firm;
        let ids = &self.style.ids;
        match entity {
            Entity::Contact => {
                let c = &f.contacts[i];
                match attr {
                    Attr::Id => self.contact_key(i),
                    Attr::FirstName => if c.company { "" } else { &c.first }.to_string(),
                    Attr::LastName => if c.company { "" } else { &c.last }.to_string(),
                    Attr::FullName | Attr::Name => {
                        if c.company {
                            c.organisation.clone()
                        } else {
                            format!("{} {}", c.first, c.last)
                        }
                    }
                    Attr::Company => c.organisation.clone(),
                    Attr::ContactType => if c.company { "Company" } else { "Person" }.into(),
                    Attr::Email => c.email.clone(),
                    Attr::Phone => c.phone_style.map(|s| c.phone.format(s)).unwrap_or_default(),
                    Attr::Street => c.street.clone(),
                    Attr::City => c.city.into(),
                    Attr::State => c.state.into(),
                    Attr::Zip => c.zip.clone(),
                    Attr::Created => self.date(c.created),
                    _ => String::new(),
                }
            }
            Entity::Matter => {
                let m = &f.matters[i];
                match attr {
                    Attr::Id => ids.matter.render(i),
                    Attr::ClientRef => self.contact_key(m.client),
                    Attr::ClientName => {
                        let c = &f.contacts[m.client];
                        if c.company {
                            c.organisation.clone()
                        } else {
                            format!("{}, {}", c.last, c.first)
                        }
                    }
                    Attr::Name => m.name.clone(),
                    Attr::PracticeArea => m.practice_area.into(),
                    Attr::Status => if m.open { "Open" } else { "Closed" }.into(),
                    Attr::Opened => self.date(m.opened),
                    Attr::Closed => m.closed.map(|d| self.date(d)).unwrap_or_default(),
                    Attr::Attorney => m.attorney.into(),
                    Attr::BillingMethod => m.billing.into(),
                    _ => String::new(),
                }
            }
            Entity::Task => {
                let t = &f.tasks[i];
                match attr {
                    Attr::Id => ids.task.render(i),
                    Attr::Seq => t.seq.to_string(),
                    Attr::MatterRef => self.matter_key(t.matter),
                    Attr::Title => t.title.into(),
                    Attr::Due => self.date(t.due),
                    Attr::Done => self.flag(t.done),
                    Attr::Status => if t.done { "Completed" } else { "Open" }.into(),
                    Attr::Assignee => t.assignee.into(),
                    Attr::Priority => t.priority.into(),
                    _ => String::new(),
                }
            }
            Entity::Note => {
                let n = &f.notes[i];
                match attr {
                    Attr::Id => ids.note.render(i),
                    Attr::Seq => n.seq.to_string(),
                    Attr::MatterRef => self.matter_key(n.matter),
                    Attr::Subject => n.subject.into(),
                    Attr::Body => n.body.clone(),
                    Attr::At | Attr::Date => self.datetime(n.at),
                    Attr::Author => n.author.into(),
                    _ => String::new(),
                }
            }
            Entity::Event => {
                let e = &f.events[i];
                match attr {
                    Attr::Id => ids.event.render(i),
                    Attr::Seq => e.seq.to_string(),
                    Attr::MatterRef => self.matter_key(e.matter),
                    Attr::Title => e.title.into(),
                    Attr::Start if e.no_start => "TBD".into(),
                    Attr::Start if e.all_day => self.date(e.start.date()),
                    Attr::Start => self.datetime(e.start),
                    Attr::End if e.all_day || e.no_start => String::new(),
                    Attr::End => self.datetime(e.end),
                    Attr::AllDay => self.flag(e.all_day),
                    Attr::Location => e.location.into(),
                    _ => String::new(),
                }
            }
            Entity::Activity => {
                let a = &f.activities[i];
                match attr {
                    Attr::Id => ids.activity.render(i),
                    Attr::Seq => a.seq.to_string(),
                    Attr::MatterRef => self.matter_key(a.matter),
                    Attr::ItemType => if a.expense { "Expense" } else { "Time" }.into(),
                    Attr::Date => self.date(a.date),
                    Attr::Hours => format!("{:.1}", a.hours),
                    Attr::Rate => self.money(a.rate),
                    Attr::Amount | Attr::Total => self.money(a.amount),
                    Attr::Description => a.description.into(),
                    Attr::Timekeeper => a.timekeeper.into(),
                    Attr::InvoiceRef => {
                        a.invoice.map(|n| ids.invoice.render(n)).unwrap_or_default()
                    }
                    Attr::Billed => self.flag(a.invoice.is_some()),
                    _ => String::new(),
                }
            }
            Entity::Invoice => {
                let v = &f.invoices[i];
                match attr {
                    Attr::Id => ids.invoice.render(i),
                    Attr::MatterRef => self.matter_key(MatterRef::Known(v.matter)),
                    Attr::ClientRef => self.contact_key(f.matters[v.matter].client),
                    Attr::Date => self.date(v.issued),
                    Attr::Due => self.date(v.due),
                    Attr::Total | Attr::Amount => self.money(v.total),
                    Attr::Paid => self.money(v.paid),
                    Attr::BalanceDue => self.money(v.total - v.paid),
                    _ => String::new(),
                }
            }
            Entity::Payment => {
                let p = &f.payments[i];
                match attr {
                    Attr::Id => ids.payment.render(i),
                    Attr::InvoiceRef => self.invoice_key(p.invoice),
                    Attr::MatterRef => match p.invoice {
                        InvoiceRef::Known(n) => {
                            self.matter_key(MatterRef::Known(f.invoices[n].matter))
                        }
                        InvoiceRef::Missing(_) => String::new(),
                    },
                    Attr::Date => self.date(p.date),
                    Attr::Amount => self.money(p.amount),
                    Attr::Method => p.method.into(),
                    _ => String::new(),
                }
            }
            Entity::Trust => {
                let t = &f.trust[i];
                match attr {
                    Attr::Id => ids.trust.render(i),
                    Attr::Seq => t.seq.to_string(),
                    Attr::MatterRef => self.matter_key(t.matter),
                    Attr::Date => self.date(t.date),
                    Attr::Amount => self.money(t.amount),
                    Attr::Deposit if t.amount.is_sign_positive() => self.money(t.amount),
                    Attr::Withdrawal if t.amount.is_sign_negative() => self.money(-t.amount),
                    Attr::RunningBalance => self.money(t.balance),
                    Attr::Description => t.description.into(),
                    Attr::CheckNo => t.check.map(|c| c.to_string()).unwrap_or_default(),
                    _ => String::new(),
                }
            }
            Entity::Custom => {
                let c = &f.custom[i];
                match attr {
                    Attr::MatterRef => self.matter_key(c.matter),
                    Attr::Section => c.section.into(),
                    Attr::Field => c.field.into(),
                    Attr::Value => c.value.clone(),
                    _ => String::new(),
                }
            }
        }
    }

    /// Trust balances, invoice balances and duplicate contacts a correct report shows.
    fn reconciliation(&self, truth: &mut StyleTruth) {
        let f = self.firm;
        let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (i, c) in f.contacts.iter().enumerate() {
            if let Some(of) = c.again {
                groups
                    .entry(of)
                    .or_insert_with(|| vec![self.contact_key(of)])
                    .push(self.contact_key(i));
            }
        }
        truth.duplicate_groups = groups
            .into_values()
            .map(|mut g| {
                g.sort();
                g
            })
            .collect();
        truth.duplicate_groups.sort();
        let has = |e: Entity| self.style.tables.iter().any(|t| t.entity == e);
        if has(Entity::Trust) {
            for t in &f.trust {
                if let MatterRef::Known(m) = t.matter {
                    *truth
                        .trust_by_project
                        .entry(self.style.ids.matter.render(m))
                        .or_default() += t.amount;
                }
            }
        }
        if has(Entity::Invoice) {
            // Summed per invoice in one pass: a scaled firm has hundreds of thousands of each.
            let mut paid = vec![Decimal::ZERO; f.invoices.len()];
            if has(Entity::Payment) {
                for p in &f.payments {
                    if let InvoiceRef::Known(n) = p.invoice {
                        if let Some(sum) = paid.get_mut(n) {
                            *sum += p.amount;
                        }
                    }
                }
            }
            for ((n, v), paid) in f.invoices.iter().enumerate().zip(paid) {
                truth
                    .invoice_balance
                    .insert(self.style.ids.invoice.render(n), v.total - paid);
            }
        }
    }
}
