"""The Confluent Schema Registry REST API, one router per resource."""
