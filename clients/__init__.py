"""What teams run: the registry client, the validating Pub/Sub publisher, the decoder and the CLI."""
