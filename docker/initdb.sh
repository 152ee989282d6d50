#!/bin/sh
# The two roles of docs/DEPLOY.md: careflow_owner owns the tables (runs migrations), careflow_app is the service's.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE careflow_owner LOGIN PASSWORD '${CAREFLOW_OWNER_PASSWORD}';
CREATE ROLE careflow_app LOGIN PASSWORD '${CAREFLOW_APP_PASSWORD}';
CREATE SCHEMA careflow AUTHORIZATION careflow_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
