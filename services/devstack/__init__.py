"""Local stack: embedded PostgreSQL, migrations and one command that runs both services."""
