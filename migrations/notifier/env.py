import notifier.models  # noqa: F401  (registers every table on the metadata)
from devstack.alembic_env import run
from notifier.database import metadata

run(metadata)
