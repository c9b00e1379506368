//! Build automation for the workspace (host tool, does not ship).

fn main() {}
