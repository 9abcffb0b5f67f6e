"""The worker consumes jobs from the SQLite queue and from Redis."""

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from app.extensions import db, huey
from app.jobs import ping
from app.models import AuditLog
from tests.conftest import REDIS_URL, dispose_engines, make_app, service_or_skip


def _drain_one():
    task = huey.dequeue()
    assert task is not None, "nothing was enqueued"
    huey.execute(task)


def test_job_goes_through_the_sqlite_queue(app):
    ping("hola")
    assert huey.pending_count() == 1
    _drain_one()
    assert huey.pending_count() == 0
    assert db.session.scalar(select(AuditLog.details).where(AuditLog.action == "queue.ping")) == {"value": "hola"}


def test_job_goes_through_redis(tmp_path):
    url = service_or_skip(REDIS_URL, "REDIS")
    app = make_app(tmp_path, REDIS_URL=url)
    with app.app_context():
        db.create_all()
        huey.flush()
        ping("redis")
        assert huey.pending_count() == 1
        _drain_one()
        assert db.session.scalar(select(AuditLog.details).where(AuditLog.action == "queue.ping")) == {
            "value": "redis"}
        dispose_engines()


@pytest.mark.timeout(60)
def test_flask_worker_process_consumes_a_job(app, tmp_path):
    """A real `flask worker` process picks the job from the SQLite queue file."""
    ping("from-test")
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               INSTANCE_PATH=str(tmp_path), ENCRYPTION_KEYS=app.config["ENCRYPTION_KEYS"][0],
               SECRET_KEY="x")
    env.pop("REDIS_URL", None)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker", "--no-periodic"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            db.session.remove()
            if db.session.scalar(select(AuditLog.id).where(AuditLog.action == "queue.ping")):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the worker did not consume the job: " + (tmp_path / "worker.log").read_text())
    finally:
        worker.terminate()
        worker.wait(10)
        log.close()
