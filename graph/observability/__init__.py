"""Observability: Prometheus metrics, OpenTelemetry traces, JSON logs and the per-request access line."""
