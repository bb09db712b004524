//! The Fellegi–Sunter model of the contacts at hand, learned from them.
//!
//! - m, how often a true duplicate reaches each level of each comparison, is estimated by
//!   expectation–maximisation over the candidate pairs (a mixture of duplicates and unrelated
//!   pairs), starting from and shrunk towards the levels' defaults, so a handful of contacts
//!   falls back on them and thousands speak for themselves;
//! - u, how often two unrelated contacts reach it, is counted over random pairs of the
//!   contacts; for an agreement it is the rarity of the shared value (how many of the contacts
//!   hold it), so a shared common name or office phone says little and a personal email a lot;
//! - the prior is the share of pairs that are duplicates, from the number of duplicate pairs
//!   the mixture finds among the candidates.
//!
//! A pair's score is the log2 odds that it is one contact: the prior plus each comparison's
//! log2(m/u). Everything is computed in a fixed order, so the same contacts always give the
//! same scores.

use std::collections::HashMap;

use super::compare::{compare, Comparison, Vector, ALL, COMPARISONS, MAX_LEVELS, NULL};
use super::table::{Reach, Table};

/// Rarities are read as if there were at least this many contacts, the ones missing holding
/// values as rare as a typical one: in a handful of contacts every value is "rare", which says
/// nothing about how rare it really is.
const MIN_POPULATION: f64 = 100.0;
/// Random pairs counted for u.
const U_SAMPLE: usize = 100_000;
/// How many pairs' worth of weight the defaults keep against the data: m against the
/// duplicates found, u against the random pairs counted.
const M_PSEUDO: f64 = 20.0;
const U_PSEUDO: f64 = 100.0;
const EM_ROUNDS: usize = 200;
const EM_TOLERANCE: f64 = 1e-7;

type Levels = [[f64; MAX_LEVELS]; COMPARISONS];

fn defaults(pick: impl Fn(&super::compare::Level) -> f64) -> Levels {
    let mut out = [[0.0; MAX_LEVELS]; COMPARISONS];
    for c in ALL {
        let levels = c.levels();
        let total: f64 = levels.iter().map(&pick).sum();
        for (l, level) in levels.iter().enumerate() {
            out[c as usize][l] = pick(level) / total;
        }
    }
    out
}

/// What the model learned, and the weights it scores with.
#[derive(Debug, Clone)]
pub(super) struct Model {
    pub m: Levels,
    pub u: Levels,
    /// log2 odds that two contacts picked at random are one.
    pub prior: f64,
    population: f64,
}

/// A comparison vector and how many candidate pairs have it.
type Pattern = (Vector, f64);

/// The distinct vectors, sorted, each with how many pairs have it: counted, not sorted from
/// a copy of every pair's vector.
fn patterns(vectors: &[Vector]) -> Vec<Pattern> {
    let mut counts: HashMap<Vector, usize> = HashMap::new();
    for v in vectors {
        *counts.entry(*v).or_default() += 1;
    }
    let mut out: Vec<Pattern> = counts.into_iter().map(|(v, n)| (v, n as f64)).collect();
    out.sort_unstable_by_key(|p| p.0);
    out
}

/// m (and the share of duplicates among the candidates) by expectation–maximisation. u here
/// is the candidates' own (blocking makes unrelated candidates agree more than random pairs
/// do); only m and the share are kept.
fn expectation_maximisation(patterns: &[Pattern]) -> (Levels, f64) {
    let m0 = defaults(|l| l.m);
    let mut m = m0;
    let mut u = [[0.0; MAX_LEVELS]; COMPARISONS];
    for (v, n) in patterns {
        for c in 0..COMPARISONS {
            if v[c] != NULL {
                u[c][v[c] as usize] += n;
            }
        }
    }
    normalise(&mut u, &defaults(|l| l.u), 1.0);
    let total: f64 = patterns.iter().map(|(_, n)| n).sum();
    let mut share: f64 = 0.1;
    for _ in 0..EM_ROUNDS {
        let mut am = [[0.0; MAX_LEVELS]; COMPARISONS];
        let mut au = [[0.0; MAX_LEVELS]; COMPARISONS];
        let mut found = 0.0;
        for (v, n) in patterns {
            let (mut lm, mut lu) = (share.ln(), (1.0 - share).ln());
            for c in 0..COMPARISONS {
                if v[c] != NULL {
                    lm += m[c][v[c] as usize].ln();
                    lu += u[c][v[c] as usize].ln();
                }
            }
            let w = 1.0 / (1.0 + (lu - lm).exp());
            found += n * w;
            for c in 0..COMPARISONS {
                if v[c] != NULL {
                    am[c][v[c] as usize] += n * w;
                    au[c][v[c] as usize] += n * (1.0 - w);
                }
            }
        }
        let (old_m, old_share) = (m, share);
        // One pseudo-duplicate in ten pseudo-pairs keeps the share off zero and one.
        share = (found + 1.0) / (total + 10.0);
        m = am;
        normalise(&mut m, &m0, M_PSEUDO);
        u = au;
        normalise(&mut u, &defaults(|l| l.u), 1.0);
        let change = m
            .iter()
            .flatten()
            .zip(old_m.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold((share - old_share).abs(), f64::max);
        if change < EM_TOLERANCE {
            break;
        }
    }
    (m, share)
}

/// Each comparison's counts into probabilities, with `pseudo` pairs' worth of the defaults.
fn normalise(counts: &mut Levels, defaults: &Levels, pseudo: f64) {
    for c in ALL {
        let row = &mut counts[c as usize];
        let levels = c.levels().len();
        let total: f64 = row[..levels].iter().sum();
        for (l, x) in row[..levels].iter_mut().enumerate() {
            *x = (*x + pseudo * defaults[c as usize][l]) / (total + pseudo);
        }
    }
}

/// A small deterministic generator for sampling pairs.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n as u64) as usize
    }
}

/// u: how often unrelated contacts reach each level, counted over random pairs of the same
/// sort (people with people, organisations with organisations), every pair when they are few.
fn unrelated(t: &Table) -> Levels {
    let mut counts = [[0.0; MAX_LEVELS]; COMPARISONS];
    let mut add = |v: Vector| {
        for c in 0..COMPARISONS {
            if v[c] != NULL {
                counts[c][v[c] as usize] += 1.0;
            }
        }
    };
    let n = t.len;
    if n * n.saturating_sub(1) / 2 <= U_SAMPLE {
        for i in 0..n {
            for j in i + 1..n {
                if t.organisation[i] == t.organisation[j] {
                    add(compare(t, i, j));
                }
            }
        }
    } else {
        let mut rng = SplitMix(0x6d69_6772_6174_696f);
        let mut drawn = 0;
        for _ in 0..U_SAMPLE * 4 {
            let (i, j) = (rng.below(n), rng.below(n));
            if i != j && t.organisation[i] == t.organisation[j] {
                add(compare(t, i, j));
                drawn += 1;
                if drawn == U_SAMPLE {
                    break;
                }
            }
        }
    }
    normalise(&mut counts, &defaults(|l| l.u), U_PSEUDO);
    counts
}

impl Model {
    /// Learns the model of these contacts from their candidate pairs' vectors.
    pub fn fit(t: &Table, vectors: &[Vector]) -> Model {
        let (m, share) = expectation_maximisation(&patterns(vectors));
        let u = unrelated(t);
        let duplicates = share * vectors.len() as f64;
        let n = t.len.max(2) as f64;
        let population = n.max(MIN_POPULATION);
        // Each contact has this many duplicates on average; a random other contact is one of
        // them with that chance over the population. At least one duplicate pair is possible.
        let per_contact = 2.0 * duplicates.max(1.0) / n;
        let p = (per_contact / (population - 1.0)).min(0.5);
        Model {
            m,
            u,
            prior: (p / (1.0 - p)).log2(),
            population,
        }
    }

    /// Bits for the pair (i, ·) at `level` of comparison `c`.
    pub fn weight(&self, t: &Table, i: usize, c: Comparison, level: u8) -> f64 {
        let l = level as usize;
        let m = self.m[c as usize][l];
        let u = match c.levels()[l].rarity {
            Some(col) => {
                let column = t.col(col);
                let padding = (self.population - t.len as f64) * c.levels()[l].u;
                (f64::from(column.count(column.id(i))) + padding) / self.population
            }
            None => self.u[c as usize][l],
        };
        (m / u).log2()
    }

    /// Each comparison's bits for the pair (i, ·) with vector `v`; nothing where it has no
    /// level.
    ///
    /// Several ways of being reached that agree (an email, a phone, an address) and that other
    /// contacts hold together too weigh no more than their combination is rare: an office's
    /// phone and its address, or a household's, are one fact, not two. A combination only the
    /// pair holds says nothing about how the values go together, so it weighs as they do apart.
    pub fn weights(&self, t: &Table, i: usize, v: &Vector) -> [f64; COMPARISONS] {
        let mut w = [0.0; COMPARISONS];
        for c in ALL {
            let level = v[c as usize];
            if level != NULL {
                w[c as usize] = self.weight(t, i, c, level);
            }
        }
        let exact = |c: Comparison| v[c as usize] == 0;
        let mut ways = [Reach::Email; 3];
        let mut parts = [Comparison::Email; 4];
        let (mut n_ways, mut n_parts) = (0, 0);
        for (way, agree, comparisons) in [
            (
                Reach::Email,
                exact(Comparison::Email),
                &[Comparison::Email][..],
            ),
            (
                Reach::Phone,
                exact(Comparison::Phone),
                &[Comparison::Phone][..],
            ),
            (
                Reach::Address,
                exact(Comparison::Number) && exact(Comparison::Street),
                &[Comparison::Number, Comparison::Street][..],
            ),
        ] {
            if agree {
                ways[n_ways] = way;
                n_ways += 1;
                for &c in comparisons {
                    parts[n_parts] = c;
                    n_parts += 1;
                }
            }
        }
        let (ways, parts) = (&ways[..n_ways], &parts[..n_parts]);
        if ways.len() < 2 {
            return w;
        }
        let held = t.together(i, ways);
        if held <= 2 {
            return w;
        }
        let m: f64 = parts.iter().map(|&c| self.m[c as usize][0]).product();
        let u0: f64 = parts.iter().map(|&c| c.levels()[0].u).product();
        let padding = (self.population - t.len as f64) * u0;
        let together = (m * self.population / (f64::from(held) + padding)).log2();
        let apart: f64 = parts.iter().map(|&c| w[c as usize]).sum();
        if apart > 0.0 && together < apart {
            for &c in parts {
                w[c as usize] *= together.max(0.0) / apart;
            }
        }
        w
    }

    /// The pair's score in bits.
    pub fn score(&self, t: &Table, i: usize, v: &Vector) -> f64 {
        self.prior + self.weights(t, i, v).iter().sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mixture with known m: EM finds it again from the patterns alone.
    #[test]
    fn expectation_maximisation_recovers_a_known_mixture() {
        let mut vectors = Vec::new();
        let mut rng = SplitMix(7);
        let mut draw = |p: &[f64]| -> u8 {
            let x = rng.below(1_000_000) as f64 / 1_000_000.0;
            let mut acc = 0.0;
            for (l, q) in p.iter().enumerate() {
                acc += q;
                if x < acc {
                    return l as u8;
                }
            }
            (p.len() - 1) as u8
        };
        // 2,000 duplicates agreeing on the family name 90% of the time, 18,000 unrelated
        // candidate pairs agreeing on it 20% of the time (blocking made them alike).
        for k in 0..20_000 {
            let dup = k < 2_000;
            let mut v = [NULL; COMPARISONS];
            let (family, email, birth) = if dup {
                (
                    draw(&[0.9, 0.05, 0.02, 0.03]),
                    draw(&[0.95, 0.0, 0.05]),
                    draw(&[0.85, 0.1, 0.0, 0.05]),
                )
            } else {
                (
                    draw(&[0.2, 0.05, 0.05, 0.7]),
                    draw(&[0.001, 0.0, 0.999]),
                    draw(&[0.01, 0.01, 0.01, 0.97]),
                )
            };
            v[Comparison::Family as usize] = family;
            v[Comparison::Email as usize] = email;
            v[Comparison::Birth as usize] = birth;
            vectors.push(v);
        }
        let (m, share) = expectation_maximisation(&patterns(&vectors));
        assert!((share - 0.1).abs() < 0.01, "share {share}");
        let family = m[Comparison::Family as usize];
        assert!((family[0] - 0.9).abs() < 0.02, "{family:?}");
        let birth = m[Comparison::Birth as usize];
        assert!((birth[1] - 0.1).abs() < 0.02, "{birth:?}");
    }
}
