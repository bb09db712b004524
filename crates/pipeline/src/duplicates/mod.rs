//! Duplicate contacts as scored pairs: a Fellegi–Sunter model learned from the contacts.
//!
//! 1. Candidate pairs come from blocking on several keys (`blocking`).
//! 2. Each pair is compared field by field into levels: exact, close by Jaro–Winkler or one
//!    keystroke, different, or missing (`compare`).
//! 3. The model learns how often duplicates and unrelated pairs reach each level: m by
//!    expectation–maximisation over the candidates, u over random pairs and from the rarity
//!    of the shared value, the prior from the duplicates the mixture finds (`model`).
//! 4. A pair's score is the log2 odds that the two are one contact. Pairs whose match
//!    probability reaches `review` are reported with their evidence; pairs that reach
//!    `strong` link contacts into groups, and a group larger than `max_group` is reported as
//!    suspicious rather than as one person.
//!
//! The product's report and the FEBRL benchmark run this same code.

mod blocking;
mod compare;
mod contact;
pub mod febrl;
mod model;
mod table;

use std::collections::{BTreeMap, HashMap, HashSet};

use migrationai_ports::store::{ContactLink, LinkEvidence};

use compare::{Comparison, Vector, ALL, NULL};
pub use contact::Contact;
use model::Model;
use table::{Table, TableBuilder};

/// Where the lines fall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Pairs whose match probability is at least this are reported for review.
    pub review: f64,
    /// Pairs whose match probability is at least this link contacts into groups.
    pub strong: f64,
    /// Groups larger than this are suspicious, not one person.
    pub max_group: usize,
    /// Blocking keys held by more contacts than this make no candidate pairs (loose keys: a
    /// quarter of this).
    pub max_block: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            review: 0.2,
            // More likely one contact than two.
            strong: 0.5,
            max_group: 5,
            max_block: 100,
        }
    }
}

/// A match probability as the log2 odds a score is in.
fn bits(probability: f64) -> f64 {
    let p = probability.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

/// What the detection found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Pairs at or above the review line, by (a, b).
    pub links: Vec<ContactLink>,
    /// Groups of two to `max_group` contacts joined by strong links: ids sorted, groups
    /// sorted.
    pub groups: Vec<Vec<String>>,
    /// Groups of strong links larger than `max_group`: likely a shared value, not a person.
    pub suspicious: Vec<Vec<String>>,
}

/// One scored candidate pair.
struct Scored {
    i: u32,
    j: u32,
    score: f64,
    vector: Vector,
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The evidence behind a pair's score, strongest first.
fn evidence(model: &Model, t: &Table, p: &Scored) -> Vec<LinkEvidence> {
    let weights = model.weights(t, p.i as usize, &p.vector);
    let mut out: Vec<LinkEvidence> = ALL
        .into_iter()
        .filter(|c| p.vector[*c as usize] != NULL)
        .map(|c| {
            let level = p.vector[c as usize];
            LinkEvidence {
                field: c.label(level).to_string(),
                outcome: c.levels()[level as usize].outcome.label().to_string(),
                weight: round(weights[c as usize]),
            }
        })
        .collect();
    out.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    out
}

/// Evidence that the two are different: a name, organisation, birth date, email or phone
/// that differs.
fn contradicts(v: &Vector) -> bool {
    ALL.into_iter()
        .any(|c: Comparison| c.identifies() && v[c as usize] == c.different())
}

/// Every candidate pair's vector, the pairs split over the machine's cores, each part
/// writing its vectors in place.
fn compare_all(t: &Table, candidates: &[(u32, u32)]) -> Vec<Vector> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = candidates.len().div_ceil(threads).max(10_000);
    let mut out = vec![[NULL; compare::COMPARISONS]; candidates.len()];
    std::thread::scope(|scope| {
        let parts: Vec<_> = candidates
            .chunks(chunk)
            .zip(out.chunks_mut(chunk))
            .map(|(pairs, vectors)| {
                scope.spawn(move || {
                    for (&(i, j), v) in pairs.iter().zip(vectors) {
                        *v = compare::compare(t, i as usize, j as usize);
                    }
                })
            })
            .collect();
        for p in parts {
            if let Err(panic) = p.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    out
}

/// The contacts to match, gathered one at a time: each one's id, and its values as
/// columns of interned values. A contact is not kept once its values are taken, so a large
/// export's contacts cost their distinct values, not a copy of every record.
#[derive(Default)]
pub struct Contacts {
    ids: Vec<String>,
    table: TableBuilder,
}

impl Contacts {
    pub fn push(&mut self, c: Contact) {
        self.table.push(&c);
        self.ids.push(c.id);
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl FromIterator<Contact> for Contacts {
    fn from_iter<I: IntoIterator<Item = Contact>>(contacts: I) -> Contacts {
        let mut all = Contacts::default();
        for c in contacts {
            all.push(c);
        }
        all
    }
}

impl<'a> FromIterator<&'a Contact> for Contacts {
    fn from_iter<I: IntoIterator<Item = &'a Contact>>(contacts: I) -> Contacts {
        contacts.into_iter().cloned().collect()
    }
}

/// The pairs the report and the groups need of the contacts' candidate pairs, scored by
/// the model learned from all of them: those at or above the review line, and the
/// contradictions between contacts that have a strong link. The candidates' vectors are
/// held once, as the model learns; no scored copy of every candidate is kept.
struct Scoring {
    ids: Vec<String>,
    table: Table,
    model: Model,
    /// At or above the review line or the strong one, in candidate order.
    kept: Vec<Scored>,
    /// Below the strong line and contradicting, between contacts that have a strong link:
    /// (i, j) with i < j.
    contradiction: HashSet<(u32, u32)>,
}

fn score_pairs(contacts: Contacts, settings: &Settings) -> Scoring {
    let Contacts { ids, table } = contacts;
    debug_assert_eq!(ids.len(), table.len());
    let t = table.finish();
    let mut candidates = blocking::candidates(&t, settings.max_block);
    candidates.retain(|&(i, j)| ids[i as usize] != ids[j as usize]);
    let vectors = compare_all(&t, &candidates);
    let model = Model::fit(&t, &vectors);
    let (review, strong) = (bits(settings.review), bits(settings.strong));
    let score = |i: u32, v: &Vector| model.score(&t, i as usize, v);
    let kept: Vec<Scored> = candidates
        .iter()
        .zip(&vectors)
        .filter_map(|(&(i, j), v)| {
            let score = score(i, v);
            (score >= review.min(strong)).then_some(Scored {
                i,
                j,
                score,
                vector: *v,
            })
        })
        .collect();
    // Contradictions matter only between contacts that have a strong link.
    let mut linked = vec![false; ids.len()];
    for p in kept.iter().filter(|p| p.score >= strong) {
        linked[p.i as usize] = true;
        linked[p.j as usize] = true;
    }
    let contradiction = candidates
        .iter()
        .zip(&vectors)
        .filter(|&(&(i, j), v)| linked[i as usize] && linked[j as usize] && contradicts(v))
        .filter(|&(&(i, _), v)| score(i, v) < strong)
        .map(|(&pair, _)| pair)
        .collect();
    Scoring {
        ids,
        table: t,
        model,
        kept,
        contradiction,
    }
}

/// Scores the contacts' candidate pairs and forms groups from the strong ones.
///
/// A strong link is kept for grouping only when it is unambiguous: a contact strongly like
/// two others that contradict each other (two colleagues of one name at one office, and a
/// re-entry giving only the name and the office phone) could be either, so it joins neither.
/// Links are then merged strongest first, never joining two groups between which a pair
/// contradicts. People and organisations are never compared.
pub fn detect(contacts: Contacts, settings: &Settings) -> Found {
    let Scoring {
        ids,
        table: t,
        model,
        kept,
        contradiction,
    } = score_pairs(contacts, settings);
    let (review, strong) = (bits(settings.review), bits(settings.strong));
    let mut found = group(&ids, &kept, &contradiction, strong, settings.max_group);
    found.links = kept
        .iter()
        .filter(|p| p.score >= review)
        .map(|p| {
            let (x, y) = (&ids[p.i as usize], &ids[p.j as usize]);
            let (a, b) = if x < y { (x, y) } else { (y, x) };
            ContactLink {
                a: a.clone(),
                b: b.clone(),
                score: round(p.score),
                evidence: evidence(&model, &t, p),
            }
        })
        .collect();
    found.links.sort_by(|p, q| (&p.a, &p.b).cmp(&(&q.a, &q.b)));
    found
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups from the strong, unambiguous links among the pairs.
fn group(
    ids: &[String],
    pairs: &[Scored],
    contradiction: &HashSet<(u32, u32)>,
    strong: f64,
    max_group: usize,
) -> Found {
    let contradicts = |a: u32, b: u32| contradiction.contains(&(a.min(b), a.max(b)));
    let strong: Vec<&Scored> = pairs.iter().filter(|p| p.score >= strong).collect();
    let mut adjacent: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in &strong {
        adjacent.entry(p.i).or_default().push(p.j);
        adjacent.entry(p.j).or_default().push(p.i);
    }
    let ambiguous = |a: u32, b: u32| {
        adjacent
            .get(&a)
            .is_some_and(|ks| ks.iter().any(|&k| k != b && contradicts(b, k)))
    };
    let mut kept: Vec<&Scored> = strong
        .into_iter()
        .filter(|p| !ambiguous(p.i, p.j) && !ambiguous(p.j, p.i))
        .collect();
    kept.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then((x.i, x.j).cmp(&(y.i, y.j)))
    });
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    let mut members: HashMap<usize, Vec<u32>> = HashMap::new();
    for p in kept {
        let (ri, rj) = (
            root(&mut parent, p.i as usize),
            root(&mut parent, p.j as usize),
        );
        if ri == rj {
            continue;
        }
        let side = |members: &HashMap<usize, Vec<u32>>, r: usize| {
            members.get(&r).cloned().unwrap_or_else(|| vec![r as u32])
        };
        let (a, b) = (side(&members, ri), side(&members, rj));
        if a.iter().any(|&x| b.iter().any(|&y| contradicts(x, y))) {
            continue;
        }
        let (keep, gone) = (ri.min(rj), ri.max(rj));
        parent[gone] = keep;
        members.remove(&gone);
        let mut joined = a;
        joined.extend(b);
        members.insert(keep, joined);
    }
    let mut by_root: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let r = root(&mut parent, i);
        by_root.entry(r).or_default().push(id.clone());
    }
    let mut found = Found::default();
    for mut g in by_root.into_values().filter(|g| g.len() > 1) {
        g.sort();
        if g.len() > max_group {
            found.suspicious.push(g);
        } else {
            found.groups.push(g);
        }
    }
    found.groups.sort();
    found.suspicious.sort();
    found
}

#[cfg(test)]
mod tests;
