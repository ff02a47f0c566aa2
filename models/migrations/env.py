"""Alembic environment: chiso's SQLModel metadata, batch mode for SQLite."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from models.db import metadata

config = context.config
target_metadata = metadata()


def run_migrations() -> None:
    """Run migrations on the connection chiso passed in, or on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.begin() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
