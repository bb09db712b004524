//! One small firm's practice data, independent of how any system writes it: the styles render
//! the same facts with their own files, headers, keys and formats. A few rows are dirty on
//! purpose (they point at records that do not exist, or miss a required value), so the truth
//! is never "everything loads".

use crate::people;
use crate::Rng;
use chrono::{NaiveDate, NaiveDateTime};
use rand::Rng as _;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub company: bool,
    pub first: String,
    pub last: String,
    pub organisation: String,
    pub email: String,
    pub phone: people::PhoneNumber,
    pub street: String,
    pub city: &'static str,
    pub state: &'static str,
    pub zip: String,
    pub created: NaiveDate,
    /// How the phone number is written (`PhoneNumber::format`); `None`: left out.
    pub phone_style: Option<usize>,
    /// A re-entry of this earlier contact: the same person or firm typed in again.
    pub again: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Matter {
    pub client: usize,
    pub name: String,
    pub practice_area: &'static str,
    pub open: bool,
    pub opened: NaiveDate,
    pub closed: Option<NaiveDate>,
    pub attorney: &'static str,
    pub billing: &'static str,
}

/// A reference to a matter: one of the firm's, or a matter number nobody has (dirt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatterRef {
    Known(usize),
    Missing(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub matter: MatterRef,
    /// Position of the task within its matter, from 1.
    pub seq: usize,
    pub title: &'static str,
    pub due: NaiveDate,
    pub done: bool,
    pub assignee: &'static str,
    pub priority: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub matter: MatterRef,
    pub seq: usize,
    pub subject: &'static str,
    pub body: String,
    pub at: NaiveDateTime,
    pub author: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub matter: MatterRef,
    pub seq: usize,
    pub title: &'static str,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub all_day: bool,
    pub location: &'static str,
    /// Dirt: the start was never filled in ("TBD"), so the row cannot load.
    pub no_start: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Activity {
    pub matter: MatterRef,
    pub seq: usize,
    pub expense: bool,
    pub date: NaiveDate,
    pub hours: Decimal,
    pub rate: Decimal,
    pub amount: Decimal,
    pub description: &'static str,
    pub timekeeper: &'static str,
    /// The invoice it was billed on.
    pub invoice: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    pub matter: usize,
    pub issued: NaiveDate,
    pub due: NaiveDate,
    pub total: Decimal,
    pub paid: Decimal,
}

/// A reference to an invoice: one of the firm's, or a bill number nobody has (dirt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InvoiceRef {
    Known(usize),
    Missing(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub invoice: InvoiceRef,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub method: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct TrustLine {
    pub matter: MatterRef,
    pub seq: usize,
    pub date: NaiveDate,
    /// Positive: a deposit; negative: a withdrawal.
    pub amount: Decimal,
    /// The matter's balance after this line, in posting order.
    pub balance: Decimal,
    pub description: &'static str,
    pub check: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct CustomValue {
    pub matter: MatterRef,
    pub section: &'static str,
    pub field: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Firm {
    pub contacts: Vec<Contact>,
    pub matters: Vec<Matter>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
    pub events: Vec<Event>,
    pub activities: Vec<Activity>,
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    /// In posting order: the order the export keeps them.
    pub trust: Vec<TrustLine>,
    pub custom: Vec<CustomValue>,
}

const AREAS: &[&str] = &[
    "Personal Injury",
    "Family Law",
    "Estate Planning",
    "Real Estate",
    "Employment",
    "Criminal Defense",
];
const BILLING: &[&str] = &["Hourly", "Flat Fee", "Contingency"];
pub(crate) const INITIALS: &[&str] = &["AW", "BO", "CL", "DR", "EN", "FC", "GH", "HN"];
const TASKS: &[&str] = &[
    "Send engagement letter",
    "Request medical records",
    "Draft complaint",
    "Calendar answer deadline",
    "Prepare discovery responses",
    "Schedule deposition",
    "Review settlement offer",
    "File notice of appearance",
];
const PRIORITIES: &[&str] = &["Low", "Normal", "High"];
const SUBJECTS: &[&str] = &["Call", "Meeting", "Research", "Correspondence", "Court"];
const EVENTS: &[&str] = &[
    "Initial consultation",
    "Deposition",
    "Status conference",
    "Mediation",
    "Hearing",
    "Filing deadline",
];
const ROOMS: &[&str] = &["Conference Room A", "Courtroom 4B", "Zoom", "Client office"];
const WORK: &[&str] = &[
    "Telephone conference with client",
    "Draft and revise motion",
    "Review and analyze records",
    "Attend hearing",
    "Legal research",
    "Correspondence with opposing counsel",
];
const COSTS: &[&str] = &[
    "Filing fee",
    "Courier",
    "Copies",
    "Records request",
    "Mileage",
];
const METHODS: &[&str] = &["Check", "Credit Card", "ACH", "Cash"];
const CUSTOM: &[(&str, &str)] = &[
    ("Intake", "Referral Source"),
    ("Intake", "Statute Date"),
    ("Opposing Party", "Insurance Carrier"),
];
const REFERRALS: &[&str] = &["Website", "Past client", "Bar referral", "Billboard"];
const CARRIERS: &[&str] = &["State Farm", "Allstate", "GEICO", "Progressive"];

fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

fn day(from: NaiveDate, days: i64) -> NaiveDate {
    from + chrono::Duration::days(days)
}

fn at(d: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    d.and_hms_opt(hour, minute, 0).unwrap_or_default()
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// From this many matters on, surnames are made up as well as drawn from the real ones: the
/// real ones alone would make a firm that large mostly strangers sharing a name. The corpus's
/// own styles (a few dozen matters) stay below it, so their rows do not change.
const VARIED_SURNAMES_FROM: usize = 1_000;

/// The firm: `matters` matters for about 1.3 times as many contacts, with their work.
pub(crate) fn generate(rng: &mut Rng, matters: usize) -> Firm {
    let mut firm = Firm::default();
    let start = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap_or_default();
    let varied = matters >= VARIED_SURNAMES_FROM;
    for i in 0..(matters * 4 / 3).max(2) {
        let company = i % 5 == 4;
        let p = people::person(rng, varied);
        let a = people::address(rng);
        let organisation = if company {
            people::organisation(rng)
        } else {
            String::new()
        };
        let email = if company {
            people::org_email(rng, &organisation)
        } else {
            people::email_for(rng, &p.first, &p.last)
        };
        firm.contacts.push(Contact {
            company,
            first: p.first,
            last: p.last,
            organisation,
            email,
            phone: people::phone(rng, a.area_code),
            street: a.line1,
            city: a.city,
            state: a.state,
            zip: a.zip,
            created: day(start, rng.gen_range(0..200)),
            phone_style: Some(0),
            again: None,
        });
    }
    let clients = firm.contacts.len();
    for m in 0..matters {
        // Some clients have more than one matter.
        let client = (m * 7) % (clients * 2 / 3).max(1);
        let opened = day(start, 200 + rng.gen_range(0..600));
        let open = rng.gen_bool(0.75);
        let c = &firm.contacts[client];
        let who = if c.company {
            c.organisation.clone()
        } else {
            c.last.clone()
        };
        let area = pick(rng, AREAS);
        firm.matters.push(Matter {
            client,
            name: format!("{who} - {area}"),
            practice_area: area,
            open,
            opened,
            closed: (!open).then(|| day(opened, rng.gen_range(60..300))),
            attorney: pick(rng, INITIALS),
            billing: pick(rng, BILLING),
        });
    }
    for m in 0..matters {
        work_of(rng, &mut firm, m);
    }
    trust(rng, &mut firm);
    dirt(&mut firm);
    // Last, so the rows above stay what they were before contacts were entered twice.
    reentries(rng, &mut firm);
    firm
}

/// About one contact in ten entered again, as people do: other case, a typo in the family
/// name, the phone in another style, the legal form of a firm spelled otherwise, some values
/// left out (never both the email and the phone). Then a namesake, who shares a person's
/// name and nothing else and is not a duplicate. No matter is the re-entry's.
fn reentries(rng: &mut Rng, firm: &mut Firm) {
    let originals = firm.contacts.len();
    let step = (originals / 7).max(1) | 1;
    for k in 0..(originals / 10).max(2) {
        let of = (3 + k * step) % originals;
        let mut c = firm.contacts[of].clone();
        c.again = Some(of);
        c.created = day(c.created, rng.gen_range(30..400));
        c.phone_style = Some(1 + rng.gen_range(0..4));
        if c.company {
            c.organisation = other_legal_form(rng, &c.organisation);
        } else {
            c.first = recase(rng, &c.first);
            c.last = if rng.gen_bool(0.3) {
                typo(rng, &c.last)
            } else {
                recase(rng, &c.last)
            };
        }
        match rng.gen_range(0..10) {
            0..=3 => {}
            4..=6 => c.email = c.email.to_uppercase(),
            _ => c.email.clear(),
        }
        if rng.gen_bool(0.3) && !c.email.is_empty() {
            c.phone_style = None;
        }
        if rng.gen_bool(0.3) {
            c.street.clear();
            c.city = "";
            c.state = "";
            c.zip.clear();
        }
        firm.contacts.push(c);
    }
    if let Some(p) = firm.contacts[..originals].iter().position(|c| !c.company) {
        let mut namesake = firm.contacts[p].clone();
        let a = people::address(rng);
        let fold = |s: &str| {
            people::ascii_fold(s)
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        };
        namesake.email = format!(
            "{}.{}@example.net",
            fold(&namesake.first),
            fold(&namesake.last)
        );
        namesake.phone = people::phone(rng, a.area_code);
        namesake.street = a.line1;
        namesake.city = a.city;
        namesake.state = a.state;
        namesake.zip = a.zip;
        firm.contacts.push(namesake);
    }
}

fn recase(rng: &mut Rng, s: &str) -> String {
    match rng.gen_range(0..3) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        _ => s.to_string(),
    }
}

/// Two neighbouring letters swapped past the first, as fast typing does.
fn typo(rng: &mut Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() >= 4 {
        let at = rng.gen_range(1..chars.len() - 2);
        chars.swap(at, at + 1);
    }
    chars.into_iter().collect()
}

/// The same firm with its legal form spelled another way ("Acme Law LLC", "ACME LAW, INC.").
fn other_legal_form(rng: &mut Rng, s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let stem = words[..words.len().saturating_sub(1)].join(" ");
    let form = pick(rng, &[" LLC", " Inc.", ", Inc.", " Corp", " Ltd"]);
    let joined = format!("{stem}{form}");
    if rng.gen_bool(0.5) {
        joined.to_uppercase()
    } else {
        joined
    }
}

fn work_of(rng: &mut Rng, firm: &mut Firm, m: usize) {
    let opened = firm.matters[m].opened;
    let matter = MatterRef::Known(m);
    for seq in 1..=rng.gen_range(1..=3) {
        firm.tasks.push(Task {
            matter,
            seq,
            title: pick(rng, TASKS),
            due: day(opened, rng.gen_range(5..120)),
            done: rng.gen_bool(0.4),
            assignee: pick(rng, INITIALS),
            priority: pick(rng, PRIORITIES),
        });
    }
    for seq in 1..=rng.gen_range(1..=3) {
        let d = day(opened, rng.gen_range(0..200));
        firm.notes.push(Note {
            matter,
            seq,
            subject: pick(rng, SUBJECTS),
            body: people::text(rng),
            at: at(d, rng.gen_range(8..18), rng.gen_range(0..60)),
            author: pick(rng, INITIALS),
        });
    }
    for seq in 1..=rng.gen_range(1..=2) {
        let d = day(opened, rng.gen_range(10..300));
        let all_day = rng.gen_bool(0.2);
        let start = if all_day {
            at(d, 0, 0)
        } else {
            at(d, rng.gen_range(8..16), 30 * rng.gen_range(0..2))
        };
        firm.events.push(Event {
            matter,
            seq,
            title: pick(rng, EVENTS),
            start,
            end: start + chrono::Duration::minutes(if all_day { 0 } else { 60 }),
            all_day,
            location: pick(rng, ROOMS),
            no_start: false,
        });
    }
    let first_activity = firm.activities.len();
    for seq in 1..=rng.gen_range(2..=5) {
        let expense = seq % 4 == 0;
        let (hours, rate) = if expense {
            (Decimal::ONE, cents(rng.gen_range(1_500..40_000)))
        } else {
            (
                Decimal::new(rng.gen_range(1..=40), 1),
                cents(pick(rng, &[25_000i64, 32_500, 40_000])),
            )
        };
        firm.activities.push(Activity {
            matter,
            seq,
            expense,
            date: day(opened, rng.gen_range(1..150)),
            hours,
            rate,
            amount: (hours * rate).round_dp(2),
            description: if expense {
                pick(rng, COSTS)
            } else {
                pick(rng, WORK)
            },
            timekeeper: pick(rng, INITIALS),
            invoice: None,
        });
    }
    // The first entries of most matters are billed on one invoice.
    if rng.gen_bool(0.8) {
        let n = firm.invoices.len();
        let last = firm.activities.len();
        let billed = first_activity..(first_activity + 2).min(last);
        let mut total = Decimal::ZERO;
        let mut latest = opened;
        for a in &mut firm.activities[billed] {
            a.invoice = Some(n);
            total += a.amount;
            latest = latest.max(a.date);
        }
        let issued = day(latest, 5);
        let paid = match rng.gen_range(0..3) {
            0 => Decimal::ZERO,
            1 => total,
            _ => (total / Decimal::TWO).round_dp(2),
        };
        firm.invoices.push(Invoice {
            matter: m,
            issued,
            due: day(issued, 30),
            total,
            paid,
        });
        if !paid.is_zero() {
            firm.payments.push(Payment {
                invoice: InvoiceRef::Known(n),
                date: day(issued, rng.gen_range(3..40)),
                amount: paid,
                method: pick(rng, METHODS),
            });
        }
    }
    for (section, field) in CUSTOM {
        let value = match *field {
            "Referral Source" => pick(rng, REFERRALS).to_string(),
            "Insurance Carrier" => pick(rng, CARRIERS).to_string(),
            _ => day(opened, 700).format("%Y-%m-%d").to_string(),
        };
        firm.custom.push(CustomValue {
            matter,
            section,
            field,
            value,
        });
    }
}

/// Trust lines in posting order: matters interleave, and a withdrawal is sometimes posted
/// after a later-dated line (a backdated entry), so dates are not sorted within a matter
/// while every running balance holds in the order the lines were posted.
fn trust(rng: &mut Rng, firm: &mut Firm) {
    // Per matter: its lines (date, signed amount, description) in the order they are posted.
    type Lines = Vec<(NaiveDate, Decimal, &'static str)>;
    let mut pending: Vec<(usize, Lines)> = Vec::new();
    for (m, matter) in firm.matters.iter().enumerate() {
        if m % 3 == 2 {
            continue;
        }
        let mut lines = Vec::new();
        let deposit = cents(rng.gen_range(50_000..500_000));
        let d0 = day(matter.opened, 2);
        lines.push((d0, deposit, "Retainer deposit"));
        let mut left = deposit;
        for k in 0..rng.gen_range(1..=3) {
            let w = (left / Decimal::from(3)).round_dp(2);
            left -= w;
            let mut d = day(d0, 20 * (k + 1) + rng.gen_range(0..10));
            // Backdated: dated before the line posted just before it.
            if k == 1 && m % 2 == 0 {
                d = day(d0, 5);
            }
            lines.push((d, -w, "Transfer to operating for invoice"));
        }
        pending.push((m, lines));
    }
    let mut balances = vec![Decimal::ZERO; firm.matters.len()];
    let mut seqs = vec![0usize; firm.matters.len()];
    // Round-robin over matters: the ledger is in posting order, not grouped by matter.
    let mut round = 0;
    loop {
        let mut any = false;
        for (m, lines) in &pending {
            let Some(&(date, amount, description)) = lines.get(round) else {
                continue;
            };
            any = true;
            balances[*m] += amount;
            seqs[*m] += 1;
            firm.trust.push(TrustLine {
                matter: MatterRef::Known(*m),
                seq: seqs[*m],
                date,
                amount,
                balance: balances[*m],
                description,
                check: amount
                    .is_sign_negative()
                    .then(|| 1000 + firm.trust.len() as u32),
            });
        }
        if !any {
            break;
        }
        round += 1;
    }
}

/// A few rows a correct migration must reject: each points at a matter or invoice that is not
/// in the export, or lacks a required value.
fn dirt(firm: &mut Firm) {
    let missing = MatterRef::Missing(firm.matters.len() + 90);
    let d = firm.matters.first().map(|m| m.opened).unwrap_or_default();
    firm.tasks.push(Task {
        matter: missing,
        seq: 1,
        title: "Follow up with adjuster",
        due: day(d, 30),
        done: false,
        assignee: INITIALS[0],
        priority: "Normal",
    });
    firm.notes.push(Note {
        matter: missing,
        seq: 1,
        subject: "Call",
        body: "Client called about a matter we never opened.".into(),
        at: at(d, 10, 0),
        author: INITIALS[1],
    });
    firm.events.push(Event {
        matter: MatterRef::Known(0),
        seq: 99,
        title: "Hearing (date to be set)",
        start: at(d, 0, 0),
        end: at(d, 0, 0),
        all_day: false,
        location: "Courtroom 4B",
        no_start: true,
    });
    firm.activities.push(Activity {
        matter: missing,
        seq: 1,
        expense: false,
        date: day(d, 3),
        hours: Decimal::ONE,
        rate: cents(25_000),
        amount: cents(25_000),
        description: "Telephone conference with client",
        timekeeper: INITIALS[2],
        invoice: None,
    });
    firm.payments.push(Payment {
        invoice: InvoiceRef::Missing(firm.invoices.len() + 70),
        date: day(d, 40),
        amount: cents(12_500),
        method: "Check",
    });
    firm.trust.push(TrustLine {
        matter: missing,
        seq: 1,
        date: day(d, 1),
        amount: cents(100_000),
        balance: cents(100_000),
        description: "Retainer deposit",
        check: None,
    });
    firm.custom.push(CustomValue {
        matter: missing,
        section: "Intake",
        field: "Referral Source",
        value: "Website".into(),
    });
}
