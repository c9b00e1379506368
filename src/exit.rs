//! The documented exit codes. They follow cargo-audit and ripgrep: 0, 1, 2, and nothing else.

/// Every selected gate was evaluated and none found a deny-level violation (warnings allowed).
pub const OK: u8 = 0;

/// At least one gate found a deny-level violation of the policy.
pub const POLICY_VIOLATION: u8 = 1;

/// The tool could not do its job: bad input (policy, lockfile, manifest, catalog), a missing or
/// unreadable advisory database, an I/O failure. Never used for a policy verdict.
pub const TOOL_ERROR: u8 = 2;
