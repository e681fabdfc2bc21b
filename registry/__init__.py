"""The Accord registry service: FastAPI over SQLModel, speaking the Confluent Schema Registry API."""

from registry.app import create_app
from registry.settings import Settings

__all__ = ["Settings", "create_app"]
