"""CitaPlanner Chatwoot Connect: the application factory wires everything, nothing else."""

from __future__ import annotations

from flask import Flask

from app.config import INSTANCE_DIR, INTAKE_BIND, PROJECT_ROOT, database_binds, load_settings


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(config if config is not None else load_settings())
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "app" / "translations"))
    app.config.setdefault("SQLALCHEMY_BINDS", database_binds(app.config["SQLALCHEMY_DATABASE_URI"]))

    from app import extensions, i18n, jobs, queue, security  # noqa: F401  (jobs: registers the tasks)
    from app.models import events  # the session hooks register on import; the engine hooks below

    extensions.db.init_app(app)
    with app.app_context():
        for key, engine in extensions.db.engines.items():
            events.configure_engine(engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000),
                                    autocommit=key == INTAKE_BIND)
    extensions.migrate.init_app(app, extensions.db, directory=str(PROJECT_ROOT / "migrations"))
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    queue.init_queue(app)

    from app.api import register_api
    from app.cli import register_cli
    from app.web import register_web

    register_api(app)
    register_web(app)
    register_cli(app)
    return app
