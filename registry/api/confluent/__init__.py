"""The Confluent Schema Registry REST API, one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from registry.api.confluent import compatibility, config, mode, schemas, server, subjects

ROUTERS: tuple[APIRouter, ...] = (
    server.router,
    schemas.router,
    subjects.router,
    compatibility.router,
    config.router,
    mode.router,
)
