//! Running balances checked in the order the export keeps them.
//!
//! A ledger's running-balance column only means something in the order it was computed in,
//! and exports differ: one lists rows as they were posted (file order) with dates unsorted,
//! another newest first, another sorted by date with same-day rows by transaction id. And
//! the balance may run per matter, per client or over the whole bank account. So each way of
//! reading the ledger is tried, the one with the fewest breaks is taken, and a ledger is
//! reported only when no order makes it consistent, at the first row where it breaks.
//!
//! A break is a row whose stated balance is not the previous stated balance plus its amount;
//! counting breaks this way (re-anchoring on each stated balance) makes one typo one break,
//! while a wrong order or scope breaks on most rows.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The order a ledger's rows are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerOrder {
    /// As the rows stand in the export: (file, row).
    FileOrder,
    /// Newest first: the export's order read backwards.
    ReverseFileOrder,
    /// By date (and time), same-day rows in file order.
    DateOrder,
    /// By date, same-day rows by transaction id.
    DateThenId,
}

impl LedgerOrder {
    /// In order of preference when several fit equally well.
    pub const ALL: [LedgerOrder; 4] = [
        LedgerOrder::FileOrder,
        LedgerOrder::DateOrder,
        LedgerOrder::DateThenId,
        LedgerOrder::ReverseFileOrder,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LedgerOrder::FileOrder => "file order",
            LedgerOrder::ReverseFileOrder => "reverse file order",
            LedgerOrder::DateOrder => "date order",
            LedgerOrder::DateThenId => "date, then transaction id",
        }
    }
}

/// What one running balance runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerScope {
    Matter,
    Client,
    /// The whole file: a bank account's register.
    Account,
}

impl LedgerScope {
    /// In order of preference when several fit equally well.
    pub const ALL: [LedgerScope; 3] = [
        LedgerScope::Matter,
        LedgerScope::Client,
        LedgerScope::Account,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LedgerScope::Matter => "matter",
            LedgerScope::Client => "client",
            LedgerScope::Account => "account",
        }
    }
}

/// One loaded ledger row, as much as the check needs. A ledger has a row per transaction
/// but few matters, clients and files, so those are shared (`Arc`) rather than a copy per
/// row: a large export's ledger is held whole while it is checked.
#[derive(Debug, Clone)]
pub struct Line {
    pub transaction_id: Box<str>,
    pub project: Arc<str>,
    pub client: Option<Arc<str>>,
    pub file: Arc<str>,
    pub row: i64,
    pub when: Option<NaiveDateTime>,
    pub amount: Decimal,
    pub stated: Option<Decimal>,
}

/// The first row of a ledger where no order makes the running balance agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerBreak {
    pub scope: LedgerScope,
    /// The matter, client or file whose ledger breaks.
    pub ledger: String,
    /// The order it was read in (the one that went furthest).
    pub order: LedgerOrder,
    pub project_id: String,
    pub file: String,
    pub row: u64,
    pub transaction_id: String,
    /// What the ledger's amounts add up to at that row (from a zero opening balance).
    pub expected: Decimal,
    /// What the export says the balance is there.
    pub stated: Decimal,
}

/// What the check found over all ledgers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// The scope the running balance was found to run over; none without stated balances.
    pub scope: Option<LedgerScope>,
    /// Consistent ledgers per order they were consistent in.
    pub consistent: BTreeMap<LedgerOrder, u64>,
    pub breaks: Vec<LedgerBreak>,
}

/// One ledger's walk in one order.
#[derive(Default)]
struct Walk {
    /// The balance the rows' own stated balances lead to.
    anchor: Decimal,
    breaks: u64,
    /// (line, expected) of the first break.
    first: Option<(usize, Decimal)>,
    /// Rows checked (with a stated balance) before the first break.
    agreed: u64,
}

impl Walk {
    fn step(&mut self, i: usize, line: &Line) {
        self.anchor += line.amount;
        if let Some(stated) = line.stated {
            if stated != self.anchor {
                self.breaks += 1;
                if self.first.is_none() {
                    self.first = Some((i, self.anchor));
                }
            } else if self.first.is_none() {
                self.agreed += 1;
            }
            self.anchor = stated;
        }
    }
}

/// Numbers inside ids compare as numbers: "T9" before "T10".
fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
                let (n, m) = (run(x), run(y));
                fn trim(s: &[u8]) -> &[u8] {
                    let z = s.iter().take_while(|b| **b == b'0').count();
                    &s[z..]
                }
                let (p, q) = (trim(&x[..n]), trim(&y[..m]));
                let by_value = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// A line's position in the export packed into one number: (file rank, row).
fn place_key(file: u32, row: i64) -> u64 {
    (u64::from(file) << 40) | (row.clamp(0, (1 << 40) - 1) as u64)
}

/// A line's moment as a number that sorts as the moment does (none first).
fn when_key(when: Option<NaiveDateTime>) -> u64 {
    match when {
        // Offset so that every representable moment is positive.
        Some(t) => (t.and_utc().timestamp() as u64) ^ (1 << 63),
        None => 0,
    }
}

/// Indices of `lines` in `order`; `place` is each line's packed (file rank, row).
fn sorted(lines: &[Line], place: &[u64], order: LedgerOrder) -> Vec<usize> {
    let mut keyed: Vec<(u128, usize)> = match order {
        LedgerOrder::FileOrder => place.iter().map(|&p| u128::from(p)).zip(0..).collect(),
        LedgerOrder::ReverseFileOrder => place
            .iter()
            .map(|&p| u128::from(u64::MAX - p))
            .zip(0..)
            .collect(),
        LedgerOrder::DateOrder | LedgerOrder::DateThenId => lines
            .iter()
            .zip(place)
            .map(|(l, &p)| (u128::from(when_key(l.when)) << 64) | u128::from(p))
            .zip(0..)
            .collect(),
    };
    keyed.sort_unstable();
    if order == LedgerOrder::DateThenId {
        // Same-moment rows by id; the rows of one moment are few, so this stays cheap.
        for run in keyed.chunk_by_mut(|a, b| a.0 >> 64 == b.0 >> 64) {
            if run.len() > 1 {
                run.sort_by(|a, b| {
                    natural(&lines[a.1].transaction_id, &lines[b.1].transaction_id)
                        .then(a.0.cmp(&b.0))
                });
            }
        }
    }
    keyed.into_iter().map(|(_, i)| i).collect()
}

fn ledger_of(line: &Line, scope: LedgerScope) -> Option<&str> {
    match scope {
        LedgerScope::Matter => Some(line.project.as_ref()),
        LedgerScope::Client => line.client.as_deref(),
        LedgerScope::Account => Some(line.file.as_ref()),
    }
}

/// Numbers the distinct names (in sorted order) and gives each value its number.
fn intern<'a>(values: impl Iterator<Item = Option<&'a str>>) -> (Vec<&'a str>, Vec<Option<u32>>) {
    let values: Vec<Option<&str>> = values.collect();
    let mut names: Vec<&str> = values.iter().flatten().copied().collect();
    names.sort_unstable();
    names.dedup();
    let ids = values
        .iter()
        .map(|v| v.and_then(|v| names.binary_search(&v).ok().map(|i| i as u32)))
        .collect();
    (names, ids)
}

/// Every ledger of one scope walked in every order: `walks[ledger][order]`.
struct ScopeWalks<'a> {
    names: Vec<&'a str>,
    walks: Vec<[Walk; 4]>,
}

impl ScopeWalks<'_> {
    /// A ledger's best reading: fewest breaks, then the longest agreeing start, then the
    /// preferred order.
    fn best(&self, ledger: usize) -> Option<(LedgerOrder, &Walk)> {
        let walks = self.walks.get(ledger)?;
        LedgerOrder::ALL
            .into_iter()
            .zip(walks.iter())
            .min_by(|(_, a), (_, b)| {
                a.breaks
                    .cmp(&b.breaks)
                    .then_with(|| b.agreed.cmp(&a.agreed))
            })
    }

    fn breaks(&self) -> u64 {
        (0..self.walks.len())
            .filter_map(|l| self.best(l).map(|(_, w)| w.breaks))
            .sum()
    }
}

/// Checks every ledger's running balance; `lines` in any order.
pub fn check(lines: &[Line]) -> Findings {
    if lines.iter().all(|l| l.stated.is_none()) {
        return Findings::default();
    }
    let (_, files) = intern(lines.iter().map(|l| Some(l.file.as_ref())));
    let place: Vec<u64> = files
        .iter()
        .zip(lines)
        .map(|(f, l)| place_key(f.unwrap_or_default(), l.row))
        .collect();
    // A scope that leaves rows out (rows without a client) is not a candidate.
    let mut scopes: Vec<(LedgerScope, ScopeWalks, Vec<Option<u32>>)> = LedgerScope::ALL
        .into_iter()
        .filter(|&scope| lines.iter().all(|l| ledger_of(l, scope).is_some()))
        .map(|scope| {
            let (names, ids) = intern(lines.iter().map(|l| ledger_of(l, scope)));
            let walks = (0..names.len()).map(|_| Default::default()).collect();
            (scope, ScopeWalks { names, walks }, ids)
        })
        .collect();
    for (o, order) in LedgerOrder::ALL.into_iter().enumerate() {
        let idx = sorted(lines, &place, order);
        for (_, walks, ids) in &mut scopes {
            for &i in &idx {
                if let Some(w) = ids[i].and_then(|l| walks.walks.get_mut(l as usize)) {
                    w[o].step(i, &lines[i]);
                }
            }
        }
    }
    // The scope with fewest breaks wins (ties: matter, client, account).
    let mut best: Option<(u64, LedgerScope, ScopeWalks)> = None;
    for (scope, walks, _) in scopes {
        let total = walks.breaks();
        if best.as_ref().is_none_or(|(b, _, _)| total < *b) {
            best = Some((total, scope, walks));
        }
    }
    let Some((_, scope, walks)) = best else {
        return Findings::default();
    };
    let mut findings = Findings {
        scope: Some(scope),
        ..Findings::default()
    };
    for (l, ledger) in walks.names.iter().enumerate() {
        let Some((order, walk)) = walks.best(l) else {
            continue;
        };
        match walk.first {
            None => *findings.consistent.entry(order).or_default() += 1,
            Some((i, expected)) => {
                let line = &lines[i];
                findings.breaks.push(LedgerBreak {
                    scope,
                    ledger: ledger.to_string(),
                    order,
                    project_id: line.project.to_string(),
                    file: line.file.to_string(),
                    row: line.row.max(0) as u64,
                    transaction_id: line.transaction_id.to_string(),
                    expected,
                    stated: line.stated.unwrap_or_default(),
                });
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(d: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(2024, 1, d).and_then(|d| d.and_hms_opt(0, 0, 0))
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    /// A ledger line of matter `m` at `row` of one file.
    fn line(id: &str, m: &str, row: i64, d: u32, amount: &str, stated: &str) -> Line {
        Line {
            transaction_id: id.into(),
            project: m.into(),
            client: Some(format!("client of {m}").into()),
            file: "trust.csv".into(),
            row,
            when: day(d),
            amount: dec(amount),
            stated: (!stated.is_empty()).then(|| dec(stated)),
        }
    }

    #[test]
    fn unsorted_dates_consistent_in_posting_order_reconcile() {
        // Posted out of date order; the balance follows the posting.
        let lines = vec![
            line("T1", "M1", 2, 20, "100", "100"),
            line("T2", "M1", 3, 5, "-30", "70"),
            line("T3", "M2", 4, 9, "50", "50"),
            line("T4", "M1", 5, 1, "10", "80"),
            line("T5", "M2", 6, 2, "-20", "30"),
        ];
        let f = check(&lines);
        assert_eq!(f.breaks, vec![]);
        assert_eq!(f.scope, Some(LedgerScope::Matter));
        assert_eq!(f.consistent.get(&LedgerOrder::FileOrder), Some(&2));
    }

    #[test]
    fn consistent_only_in_date_order() {
        // Rows written grouped by type, the balance computed by date.
        let lines = vec![
            line("T1", "M1", 2, 1, "100", "100"),
            line("T3", "M1", 3, 9, "200", "270"),
            line("T2", "M1", 4, 5, "-30", "70"),
        ];
        let f = check(&lines);
        assert_eq!(f.breaks, vec![]);
        assert_eq!(f.consistent.get(&LedgerOrder::DateOrder), Some(&1));
    }

    #[test]
    fn consistent_only_in_date_then_id_order() {
        // Same-day rows: the file has T10 before T9, the balance runs T9 then T10
        // (by date then id: T8 100, T11 105, T9 80, T10 40).
        let lines = vec![
            line("T8", "M1", 2, 1, "100", "100"),
            line("T10", "M1", 3, 4, "-40", "40"),
            line("T9", "M1", 4, 4, "-25", "80"),
            line("T11", "M1", 5, 2, "5", "105"),
        ];
        let f = check(&lines);
        assert_eq!(f.breaks, vec![]);
        assert_eq!(f.consistent.get(&LedgerOrder::DateThenId), Some(&1));
    }

    #[test]
    fn newest_first_exports_reconcile() {
        let lines = vec![
            line("T3", "M1", 2, 9, "-20", "130"),
            line("T2", "M1", 3, 5, "50", "150"),
            line("T1", "M1", 4, 1, "100", "100"),
        ];
        let f = check(&lines);
        assert_eq!(f.breaks, vec![]);
    }

    #[test]
    fn an_account_register_runs_over_the_whole_file() {
        let lines = vec![
            line("T1", "M1", 2, 1, "100", "100"),
            line("T2", "M2", 3, 2, "50", "150"),
            line("T3", "M1", 4, 3, "-20", "130"),
            line("T4", "M3", 5, 4, "5", "135"),
        ];
        let f = check(&lines);
        assert_eq!(f.scope, Some(LedgerScope::Account));
        assert_eq!(f.breaks, vec![]);
    }

    #[test]
    fn a_broken_ledger_is_reported_at_its_first_break() {
        let lines = vec![
            line("T1", "M1", 2, 1, "100", "100"),
            line("T2", "M1", 3, 2, "-30", "70"),
            line("T3", "M1", 4, 3, "40", "200"),
            line("T4", "M1", 5, 4, "10", "210"),
            line("T5", "M2", 6, 1, "10", "10"),
        ];
        let f = check(&lines);
        assert_eq!(f.scope, Some(LedgerScope::Matter));
        assert_eq!(f.breaks.len(), 1, "{:?}", f.breaks);
        let b = &f.breaks[0];
        assert_eq!(
            (
                b.ledger.as_str(),
                b.row,
                b.transaction_id.as_str(),
                b.expected,
                b.stated
            ),
            ("M1", 4, "T3", dec("110"), dec("200"))
        );
        assert_eq!(b.order, LedgerOrder::FileOrder);
        assert_eq!(f.consistent.values().sum::<u64>(), 1);
    }

    #[test]
    fn rows_without_a_stated_balance_still_count() {
        let lines = vec![
            line("T1", "M1", 2, 1, "100", "100"),
            line("T2", "M1", 3, 2, "-30", ""),
            line("T3", "M1", 4, 3, "40", "110"),
        ];
        assert_eq!(check(&lines).breaks, vec![]);
        assert_eq!(
            check(&[line("T1", "M1", 2, 1, "5", "")]),
            Findings::default()
        );
    }

    /// The export at scale: 500,000 rows over 15,000 matters, posted interleaved and
    /// with dates in no order, every running balance right in posting order; plus three
    /// matters with one wrong balance each.
    #[test]
    fn half_a_million_unsorted_rows_give_no_false_problems() {
        let matters = 15_000usize;
        let mut balance = vec![Decimal::ZERO; matters];
        let mut lines = Vec::with_capacity(500_000);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for row in 0..500_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = (x % matters as u64) as usize;
            let amount = Decimal::new((x >> 20) as i64 % 200_000 - 50_000, 2);
            balance[m] += amount;
            let mut stated = balance[m];
            if row == 499_990 || (m == 77 && row > 400_000) {
                stated += Decimal::ONE;
            }
            lines.push(Line {
                transaction_id: format!("TX{row}").into(),
                project: format!("M{m}").into(),
                client: Some(format!("C{}", m / 3).into()),
                file: "ledger.csv".into(),
                row: row + 2,
                when: NaiveDate::from_ymd_opt(2015, 1, 1)
                    .and_then(|d| d.checked_add_days(chrono::Days::new((x >> 40) % 3_000)))
                    .and_then(|d| d.and_hms_opt(0, 0, 0)),
                amount,
                stated: Some(stated),
            });
        }
        let f = check(&lines);
        assert_eq!(f.scope, Some(LedgerScope::Matter));
        let broken: Vec<&str> = f.breaks.iter().map(|b| b.ledger.as_str()).collect();
        let expected_broken = [lines[499_990].project.as_ref(), "M77"];
        assert!(
            broken.len() <= 2 && expected_broken.iter().all(|m| broken.contains(m)),
            "{broken:?}"
        );
        assert_eq!(
            f.consistent.get(&LedgerOrder::FileOrder).copied(),
            Some(matters as u64 - broken.len() as u64)
        );
    }

    #[test]
    fn ids_compare_by_their_numbers() {
        assert_eq!(natural("T9", "T10"), Ordering::Less);
        assert_eq!(natural("T010", "T9"), Ordering::Greater);
        assert_eq!(natural("A2", "B1"), Ordering::Less);
        assert_eq!(natural("7", "7"), Ordering::Equal);
    }
}
