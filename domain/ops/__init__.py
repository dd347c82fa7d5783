"""For operators: counters and logs, readiness, rotating the server secret."""
