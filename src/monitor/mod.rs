//! `cargo spdf monitor`: postmarket monitoring of released product versions.

pub mod cdx;
