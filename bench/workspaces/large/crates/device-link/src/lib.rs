//! The link to the pump: serial framing, MQTT telemetry, gRPC control.
