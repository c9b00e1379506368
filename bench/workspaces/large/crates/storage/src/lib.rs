//! Persistence of infusion records and audit logs.
