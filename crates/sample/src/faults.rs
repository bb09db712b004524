//! Where dirt goes: a few rows of each file, spread evenly, each with exactly one fault.

/// Spreads `count` faults over `rows` rows and cycles through `variants` kinds of fault, so
/// every variant appears even in the small sample.
pub(crate) struct Faults {
    rows: usize,
    count: usize,
    variants: usize,
    next: usize,
}

impl Faults {
    pub fn new(rows: usize, variants: usize) -> Faults {
        // About one row in 250 is dirty, but at least two of each variant; never the first
        // rows, whose ids other faults duplicate.
        let count = (rows / 250).max(2 * variants).min(rows / 3);
        Faults {
            rows,
            count,
            variants: variants.max(1),
            next: 0,
        }
    }

    /// The fault variant for row `i`, if row `i` is to be dirty. Call with increasing `i`.
    pub fn at(&mut self, i: usize) -> Option<usize> {
        while self.next < self.count {
            let pos = (2 * self.next + 1) * self.rows / (2 * self.count);
            if pos > i {
                return None;
            }
            self.next += 1;
            if pos == i {
                return Some((self.next - 1) % self.variants);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_every_variant() {
        let mut f = Faults::new(300, 4);
        let hits: Vec<(usize, usize)> = (0..300).filter_map(|i| f.at(i).map(|v| (i, v))).collect();
        assert_eq!(hits.len(), 8);
        assert!(hits.iter().all(|(i, _)| *i > 0));
        for v in 0..4 {
            assert_eq!(hits.iter().filter(|(_, x)| *x == v).count(), 2);
        }
    }
}
