-- Owner roles run migrations; app roles serve requests and are neither owner nor superuser,
-- so row-level security applies to them.
CREATE ROLE case_api_owner LOGIN PASSWORD 'owner';
CREATE ROLE case_api_app LOGIN PASSWORD 'app';
CREATE ROLE notifier_owner LOGIN PASSWORD 'owner';
CREATE ROLE notifier_app LOGIN PASSWORD 'app';
CREATE DATABASE case_api OWNER case_api_owner;
CREATE DATABASE notifier OWNER notifier_owner;
REVOKE ALL ON DATABASE case_api FROM PUBLIC;
REVOKE ALL ON DATABASE notifier FROM PUBLIC;
GRANT CONNECT ON DATABASE case_api TO case_api_app;
GRANT CONNECT ON DATABASE notifier TO notifier_app;
