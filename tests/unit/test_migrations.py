"""Alembic migrations build the schema from nothing and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from directory import create_app
from directory.db.text_index import include_name
from directory.extensions import db


def test_upgrade_builds_the_schema_and_matches_the_models(fresh_database_url: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    # The text search index lives beside the models, as migrations/env.py says.
                    "include_name": include_name,
                },
            )
            pending = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
        db.engine.dispose()
    assert pending == []
    assert {"technopark", "organization", "program", "direction", "news_article"} <= tables
    assert {"user_account", "audit_entry", "technopark_news", "coordinator_grant"} <= tables


def test_downgrade_to_nothing_and_back(fresh_database_url: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            assert "technopark" in inspect(connection).get_table_names()
        db.engine.dispose()
