"""Hand-written DDL that autogenerate does not see: grants for the app role."""

from alembic import op

from devstack.alembic_env import app_role


def grant_default_privileges() -> None:  # the first migration of each service calls this
    """Tables the owner creates later are readable and writable (not deletable) by the app role.

    Nothing in the domain is deleted (corrections are versions, closing is a state); a table
    that needs DELETE grants it in its own migration.
    """
    role = app_role()
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}')
             AND '{role}' <> current_user THEN
            EXECUTE 'GRANT USAGE ON SCHEMA public TO "{role}"';
            EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public
                     GRANT SELECT, INSERT, UPDATE ON TABLES TO "{role}"';
            EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public
                     GRANT USAGE, SELECT ON SEQUENCES TO "{role}"';
            -- alembic_version predates the default privileges; readiness reads it.
            EXECUTE 'GRANT SELECT ON alembic_version TO "{role}"';
          END IF;
        END $$;
        """
    )


def grant_to_app(sql_privileges: str, table: str) -> None:
    role = app_role()
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}')
             AND '{role}' <> current_user THEN
            EXECUTE 'GRANT {sql_privileges} ON {table} TO "{role}"';
          END IF;
        END $$;
        """
    )


def grant_function(signature: str) -> None:
    role = app_role()
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
            EXECUTE 'GRANT EXECUTE ON FUNCTION {signature} TO "{role}"';
          END IF;
        END $$;
        """
    )
