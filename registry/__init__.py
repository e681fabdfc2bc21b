"""The Accord registry service: FastAPI over SQLModel, speaking the Confluent Schema Registry API."""
