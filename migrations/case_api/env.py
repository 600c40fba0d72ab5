import case_api.models  # noqa: F401  (registers every table on the metadata)
from case_api.database import metadata
from devstack.alembic_env import run

run(metadata)
