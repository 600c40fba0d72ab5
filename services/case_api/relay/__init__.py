"""The outbox relay: committed outbox events to the notifier, at least once, in order per ärende."""
