//! Value types that validate and normalise what exports write.

pub mod address;
pub mod date;
pub mod email;
pub mod money;
pub mod name;
pub mod number;
pub mod phone;
mod phone_patterns;
pub mod text;

pub use address::Address;
pub use date::{DateOrder, When, ZonedDateTime};
pub use email::Email;
pub use money::{Currency, Money};
pub use name::PersonName;
pub use number::DecimalSeparator;
pub use phone::Phone;
