//! The phone metadata's compiled patterns: each compiled once a process, and the ones every
//! try of a region needs compiled small.
//!
//! The `phonenumber` crate compiles its metadata's patterns on first use into an LRU of 100.
//! Trying a number in every region (reading an export's country, recognising a phone
//! column) touches more than 100, so each such try evicted the patterns of the regions in
//! use and every later number compiled them again: the main cost of profiling an export.
//! Keeping every pattern instead (a cache as large as the metadata) costs ~87 KiB each
//! compiled as the crate does, with Unicode classes: `\d` alone is hundreds of ranges.
//!
//! The patterns are ASCII digit patterns (see the tests), and every text they are matched
//! against is a national number the crate has reduced to ASCII digits, so a pattern compiled
//! without Unicode answers alike, for a seventh of the memory and a quarter of the time.
//! The three patterns every try of a region runs (its international prefix, its national
//! prefix for parsing and its general number pattern) are put in the cache compiled so,
//! before the region's first try; the rest compile as the crate compiles them, once each.

use phonenumber::metadata::DATABASE;
use phonenumber::Metadata;
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Makes sure the patterns `region` is tried with first are in the cache, compiled small,
/// and that nothing is evicted from it again. Cheap after the region's first call.
pub(crate) fn prepare(region: &str) {
    let Some(prepared) = prepared() else { return };
    let Ok(mut done) = prepared.lock() else {
        return;
    };
    if done.contains(region) {
        return;
    }
    let Some(meta) = DATABASE.by_id(region) else {
        return;
    };
    seed(meta);
    done.insert(meta.id().to_string());
}

/// The regions prepared so far, after the cache is made large enough to keep every pattern
/// of the metadata (done once, on first use).
fn prepared() -> Option<&'static Mutex<HashSet<String>>> {
    static PREPARED: OnceLock<Option<Mutex<HashSet<String>>>> = OnceLock::new();
    PREPARED
        .get_or_init(|| {
            let every = DATABASE.iter().map(|m| sources(m).len()).sum::<usize>();
            let cache = DATABASE.cache();
            let mut cache = cache.lock().ok()?;
            // Counted with repeats, so at least every distinct pattern fits: none is evicted.
            let capacity = every.max(cache.capacity());
            cache.set_capacity(capacity);
            Some(Mutex::new(HashSet::new()))
        })
        .as_ref()
}

/// Puts the small forms of a region's first patterns in the cache, under the source the
/// crate looks them up by. A pattern that cannot be compiled without Unicode is left to the
/// crate, which compiles it its own way when it is used.
fn seed(meta: &Metadata) {
    let first = [
        meta.international_prefix().map(|r| r.as_str()),
        meta.national_prefix_for_parsing().map(|r| r.as_str()),
        Some(meta.descriptors().general().national_number().as_str()),
    ];
    let cache = DATABASE.cache();
    let Ok(mut cache) = cache.lock() else { return };
    for source in first.into_iter().flatten() {
        if cache.contains_key(source) {
            continue;
        }
        if let Ok(re) = small(source) {
            cache.save(re);
        }
    }
}

/// A pattern compiled as the crate compiles it (whitespace in it ignored), but with ASCII
/// classes.
fn small(source: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(source)
        .ignore_whitespace(true)
        .unicode(false)
        .build()
}

/// Every pattern a region's metadata holds.
fn sources(meta: &Metadata) -> Vec<&str> {
    let d = meta.descriptors();
    let mut out = vec![d.general().national_number().as_str()];
    let kinds = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.emergency(),
        d.voicemail(),
        d.short_code(),
        d.standard_rate(),
        d.carrier(),
        d.no_international(),
    ];
    out.extend(
        kinds
            .into_iter()
            .flatten()
            .map(|k| k.national_number().as_str()),
    );
    out.extend(meta.international_prefix().map(|r| r.as_str()));
    out.extend(meta.national_prefix_for_parsing().map(|r| r.as_str()));
    out.extend(meta.leading_digits().map(|r| r.as_str()));
    for f in meta.formats().iter().chain(meta.international_formats()) {
        out.push(f.pattern().as_str());
        out.extend(f.leading_digits().iter().map(|r| r.as_str()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every distinct pattern of the metadata.
    fn every_pattern() -> Vec<String> {
        let mut all: Vec<String> = DATABASE
            .iter()
            .flat_map(|m| {
                sources(m)
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The patterns use digits, classes of digits, grouping and repetition only: no class
    /// (`\s`, `\w`, `.`, a negated set) whose ASCII form differs from its Unicode form on
    /// anything but non-ASCII digits, which the crate never leaves in a national number.
    #[test]
    fn patterns_are_ascii_digit_patterns() {
        for p in every_pattern() {
            let plain = p.replace("\\d", "");
            assert!(
                plain
                    .chars()
                    .all(|c| c.is_ascii_digit() || "()[]{}|?:,-+*^$ \n\t".contains(c)),
                "{p:?}"
            );
            assert!(!p.contains("[^"), "{p:?}");
        }
    }

    /// Digit strings of every length a number has, from a fixed generator, with the metadata's
    /// own example numbers: the texts the patterns are matched against.
    fn texts() -> Vec<String> {
        let mut out: Vec<String> = DATABASE
            .iter()
            .flat_map(|m| {
                let d = m.descriptors();
                [d.general(), d.fixed_line().unwrap_or(d.general())]
                    .into_iter()
                    .chain(d.mobile())
                    .chain(d.toll_free())
                    .filter_map(|x| x.example().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 1..=18 {
            for _ in 0..40 {
                let s: String = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        char::from(b'0' + (seed % 10) as u8)
                    })
                    .collect();
                out.push(s);
            }
        }
        out.push(String::new());
        out
    }

    /// The small form of every pattern finds the same matches and groups as the crate's form
    /// on every text: the answers of the phone functions cannot change.
    #[test]
    fn small_patterns_answer_as_the_crates_do() {
        let texts = texts();
        for p in every_pattern() {
            let small = small(&p).expect("every pattern compiles without Unicode");
            let full = regex::RegexBuilder::new(&p)
                .ignore_whitespace(true)
                .build()
                .expect("every pattern compiles");
            for t in &texts {
                let found = full.find(t).map(|m| m.range());
                assert_eq!(small.find(t).map(|m| m.range()), found, "{p:?} on {t:?}");
                if found.is_none() {
                    continue;
                }
                let groups = |re: &regex::Regex| {
                    re.captures(t)
                        .map(|c| c.iter().map(|g| g.map(|g| g.range())).collect::<Vec<_>>())
                };
                assert_eq!(groups(&small), groups(&full), "{p:?} on {t:?}");
            }
        }
    }

    #[test]
    fn a_prepared_region_keeps_its_small_patterns() {
        prepare("AU");
        prepare("AU");
        let meta = DATABASE.by_id("AU").expect("AU");
        let general = meta.descriptors().general().national_number().as_str();
        let cache = DATABASE.cache();
        let mut cache = cache.lock().expect("cache");
        assert!(cache.contains_key(general));
        assert!(cache.capacity() >= every_pattern().len());
    }
}
