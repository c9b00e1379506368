//! Desktop tool that renders therapy reports.

fn main() {}
