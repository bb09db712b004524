//! Opaque bearer tokens: 32 random bytes shown once to the client; only their SHA-256 is
//! stored, so a leaked database does not leak usable tokens.

use rand::RngCore;
use sha2::{Digest, Sha256};

pub const PREFIX: &str = "mai_";

/// A new token and the hash to store.
pub fn issue() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", hex::encode(bytes));
    let digest = digest(&token);
    (token, digest)
}

pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random identifier (for token ids, CSRF secrets).
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Equal-time comparison of two strings.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = super::issue();
        let (b, hb) = super::issue();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(super::digest(&a), ha);
        assert!(super::same(&ha, &ha.clone()));
        assert!(!super::same(&ha, &hb));
    }
}
