//! Receipt handles: `<seq>-<token>` in hex. The seq finds the row by primary
//! key; the token, fresh on every receive, makes a handle from an earlier
//! receive of the same message stale.

/// A parsed receipt handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Receipt {
    pub seq: i64,
    pub token: i64,
}

impl Receipt {
    pub fn encode(seq: i64, token: i64) -> String {
        format!("{seq:x}-{:016x}", token as u64)
    }

    pub fn parse(handle: &str) -> Option<Self> {
        let (seq, token) = handle.split_once('-')?;
        if token.len() != 16 {
            return None;
        }
        let seq = i64::from_str_radix(seq, 16).ok()?;
        let token = u64::from_str_radix(token, 16).ok()? as i64;
        Some(Self { seq, token })
    }
}

/// A random token for one receive call.
pub(crate) fn new_token() -> i64 {
    uuid::Uuid::new_v4().as_u64_pair().0 as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for (seq, token) in [(1, 0), (42, -1), (i64::MAX, i64::MIN)] {
            let handle = Receipt::encode(seq, token);
            assert_eq!(Receipt::parse(&handle), Some(Receipt { seq, token }));
        }
        assert_eq!(Receipt::parse("bogus"), None);
        assert_eq!(Receipt::parse("1-2"), None);
    }
}
