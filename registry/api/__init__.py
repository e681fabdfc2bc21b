"""HTTP: the Confluent-compatible routers, their wire models and the edges (errors, raw paths)."""
