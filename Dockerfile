# The careflow case record as a container image: uvicorn workers behind your TLS-terminating reverse proxy.
# Build: docker build -t careflow .   Run: docker compose up (docker-compose.yml; docs/DEPLOY.md).
FROM python:3.11-slim

# pg_dump/pg_restore for `careflow backup` and `careflow restore` against PostgreSQL 15.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 careflow \
    && mkdir -p /var/lib/careflow/checkpoints \
    && chown -R careflow /var/lib/careflow

USER careflow
ENV PYTHONUNBUFFERED=1 \
    CAREFLOW_SECURE_COOKIES=true \
    CAREFLOW_WORKERS=2
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
# One worker a core; every worker needs the same CAREFLOW_SECRET_KEY and CAREFLOW_AUDIT_KEYS (it refuses to start
# without them). Forwarded client addresses are trusted only from CAREFLOW_FORWARDED_ALLOW_IPS (the proxy).
CMD ["sh", "-c", "exec uvicorn careflow.record.app:create_app --factory --host 0.0.0.0 --port 8000 --workers ${CAREFLOW_WORKERS} --http careflow.record.server:NoDelayH11Protocol --proxy-headers --forwarded-allow-ips ${CAREFLOW_FORWARDED_ALLOW_IPS:-127.0.0.1} --no-access-log"]
