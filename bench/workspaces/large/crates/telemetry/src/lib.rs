//! Logging, metrics and traces for the host service.
