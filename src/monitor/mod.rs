//! `cargo spdf monitor`: postmarket monitoring of released product versions, from their
//! archived evidence bundles or SBOMs, against today's advisory database and KEV catalog.
//!
//! Load ([`bundle`], [`sbom`], [`cdx`], [`lockfile`]) -> evaluate ([`evaluate`], [`compare`]) ->
//! render ([`human`], [`json`], [`sarif`], [`csv`]), as every other command.

pub mod archive;
pub mod bundle;
pub mod cdx;
pub mod compare;
pub mod csv;
pub mod evaluate;
pub mod human;
pub mod item;
pub mod json;
pub mod lockfile;
pub mod report;
pub mod sarif;
pub mod sbom;
