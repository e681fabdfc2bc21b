"""Use cases of the registry: one transaction each, called by the thin HTTP routers."""
