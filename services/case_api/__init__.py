"""case_api: the case service (ärenden, steps, time limits, outbox)."""
