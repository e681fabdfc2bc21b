"""Pub/Sub enforcement: the only code that talks to Pub/Sub's admin APIs (schemas, topics, subscriptions)."""
