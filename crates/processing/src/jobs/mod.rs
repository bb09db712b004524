//! The job life cycle.

pub mod phases;
pub mod plan;
