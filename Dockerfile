# The Accord registry: `accord serve` on 0.0.0.0:8081. SQLite in /data by default; set
# ACCORD_DATABASE_URL=postgresql://… for production (several replicas over one PostgreSQL).
# deploy/compose.yaml and deploy/k8s/ run this image; tests/deploy checks they agree with it.

# Stage 1: build the wheel (the same one `make dist` builds) from the sources.
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY contracts ./contracts
COPY registry ./registry
COPY clients ./clients
RUN pip install -c constraints.txt build \
    && python -m build --wheel --outdir /wheels .

# Stage 2: the runtime installs the wheel with the server extra only (no build tools, no sources).
FROM python:3.11-slim

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="accord-registry" \
      org.opencontainers.image.description="Schema registry and consumer-contract testing for event topics" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/accord-registry/accord"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ACCORD_DATABASE_URL=sqlite:////data/accord.db

COPY constraints.txt /tmp/constraints.txt
COPY --from=builder /wheels /tmp/wheels
RUN for wheel in /tmp/wheels/accord_registry-*.whl; do \
        pip install -c /tmp/constraints.txt "${wheel}[server]" || exit 1; \
    done \
    && rm -rf /tmp/wheels /tmp/constraints.txt \
    && groupadd --system --gid 10001 accord \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --create-home accord

# Non-root, by number so that orchestrators can verify it without reading /etc/passwd.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8081

# /readyz answers 200 only when the database is reachable.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8081/readyz', timeout=2).status != 200)"]

ENTRYPOINT ["accord"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8081"]
