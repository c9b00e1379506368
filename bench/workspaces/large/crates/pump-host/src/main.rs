//! The host service that supervises the pumps of a ward.

fn main() {}
