//! The canonical store over SQL, through sqlx's `Any` driver: the same code and the same
//! migrations serve SQLite (embedded default) and PostgreSQL (a connection string away).

pub mod migrations;
mod packed;
pub mod roles;
mod store;

pub use store::SqlStore;

/// The most connections one pool may hold. Every process's pools together must fit the
/// database's (or RDS Proxy's) connection limit; README, "Connection budget". A pool on SQLite
/// always holds one (one writer at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSize(std::num::NonZeroU32);

impl PoolSize {
    /// A process on one machine (`migrate`, `up`, operator commands): nothing else shares
    /// the database.
    pub const LOCAL: PoolSize = PoolSize::of(8);

    /// `n`, at least one.
    pub const fn of(n: u32) -> PoolSize {
        match std::num::NonZeroU32::new(n) {
            Some(n) => PoolSize(n),
            None => PoolSize(std::num::NonZeroU32::MIN),
        }
    }

    /// The size for a pool on `url`: SQLite pools hold one connection whatever the budget.
    pub fn for_url(self, url: &str) -> u32 {
        if url.starts_with("sqlite:") {
            1
        } else {
            self.0.get()
        }
    }
}

impl std::str::FromStr for PoolSize {
    type Err = String;
    fn from_str(s: &str) -> Result<PoolSize, String> {
        s.trim()
            .parse::<std::num::NonZeroU32>()
            .map(PoolSize)
            .map_err(|_| format!("{s:?} is not a number of connections (1 or more)"))
    }
}

impl std::fmt::Display for PoolSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
