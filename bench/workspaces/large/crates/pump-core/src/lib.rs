//! Infusion pump domain model: dose limits, alarms, records.
