//! Conformance suites shared by every adapter's tests. Each test binary that
//! includes this module uses only some of it.
#![allow(dead_code)]

pub mod queue;
