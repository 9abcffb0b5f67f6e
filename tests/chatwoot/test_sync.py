"""Sync runs: queued for the worker, one at a time, cancellable, and resumed after a crash without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.chatwoot.client_matcher import chatwoot_client_matcher
from app.chatwoot.errors import ChatwootConfigError
from app.chatwoot.settings import update_credentials
from app.extensions import db, huey
from app.jobs.sync import resume_stale_syncs, run_sync
from app.models import SyncRun, SyncStatus, utcnow
from app.services.sync.runs import (
    MAX_ATTEMPTS,
    RESUMED,
    SyncError,
    cancel_sync,
    create_run,
    result_of,
    start_sync,
)
from tests.chatwoot.conftest import drain, key, linked_contacts, phone_duplicates, picture, seed_clients
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN


def reload(run_id: str) -> SyncRun:
    db.session.expire_all()
    return db.session.get(SyncRun, run_id)


def test_start_sync_queues_a_run_the_worker_executes(app, wired_tenant, chatwoot, admin_user):
    seed_clients(wired_tenant, 30)
    run = start_sync(wired_tenant.id, admin_user)
    db.session.commit()
    assert (run.status, run.total, run.started_by_id) == (SyncStatus.QUEUED, 30, admin_user.id)
    assert chatwoot.sim.request_log == [], "the request only queues the work"
    assert drain() == 1
    run = reload(run.id)
    assert (run.status, run.processed, run.created) == (SyncStatus.DONE, 30, 30)
    assert run.started_at and run.finished_at and run.heartbeat_at


def test_only_one_active_run_per_tenant(app, wired_tenant, chatwoot):
    run = start_sync(wired_tenant.id)
    db.session.commit()
    assert start_sync(wired_tenant.id).id == run.id, "a second start shows the running one"
    db.session.commit()
    with pytest.raises(SyncError, match=f"a sync is already queued for this salon \\(run {run.id}\\)"):
        create_run(wired_tenant.id)
    assert drain() == 1, "one job for the one run"
    again = start_sync(wired_tenant.id)
    assert again.status == SyncStatus.QUEUED and again.id != run.id


def test_incomplete_settings_refuse_to_start(app, tenant):
    with pytest.raises(ChatwootConfigError, match="missing api_url, api_token, account_id"):
        start_sync(tenant.id)
    assert db.session.scalars(select(SyncRun)).all() == []


def test_a_queued_run_cancelled_never_runs(app, wired_tenant, chatwoot):
    seed_clients(wired_tenant, 5)
    run = start_sync(wired_tenant.id)
    cancel_sync(run)
    db.session.commit()
    assert run.status == SyncStatus.CANCELLED
    drain()
    assert reload(run.id).status == SyncStatus.CANCELLED and chatwoot.sim.request_log == []


def test_a_running_run_is_asked_to_stop(app, wired_tenant, chatwoot):
    run = create_run(wired_tenant.id)
    run.status = SyncStatus.RUNNING
    cancel_sync(run)
    assert run.cancel_requested and run.status == SyncStatus.RUNNING


def test_a_job_for_a_run_already_taken_does_nothing(app, wired_tenant, chatwoot):
    run = create_run(wired_tenant.id)
    run.status = SyncStatus.RUNNING  # another worker holds it
    db.session.commit()
    assert run_sync(run.id).status == SyncStatus.RUNNING
    assert chatwoot.sim.request_log == []


def test_the_job_waits_for_its_row(app, wired_tenant):
    with pytest.raises(LookupError, match="no sync run nope"):
        run_sync("nope")


def test_chatwoot_failing_mid_run_fails_the_run_and_keeps_the_links(app, wired_tenant, chatwoot):
    seed_clients(wired_tenant, 120)
    run = create_run(wired_tenant.id)
    db.session.commit()

    def token_revoked_after_first_batch(current):
        if current.processed:
            chatwoot.sim.fail_next(10_000, status=401, body={"error": "Invalid Access Token"})

    run = run_sync(run.id, token_revoked_after_first_batch)
    assert (run.status, run.error, run.processed) == (SyncStatus.FAILED, "Chatwoot: Invalid Access Token", 50)
    assert sum(1 for contact_id in linked_contacts(wired_tenant).values() if contact_id) == 50
    chatwoot.sim.faults.reset()
    result = chatwoot_client_matcher.sync_all_clients_to_chatwoot(wired_tenant.id)
    assert (result.status, result.synced, result.created, result.linked) == (SyncStatus.DONE, 120, 70, 0)
    assert len(chatwoot.sim.contacts(ACCOUNT_ID)) == 120


def stale(run: SyncRun, minutes: int = 6) -> None:
    run.heartbeat_at = utcnow() - timedelta(minutes=minutes)


def test_the_sweeper_requeues_a_run_whose_worker_died(app, wired_tenant, chatwoot):
    seed_clients(wired_tenant, 10)
    run = create_run(wired_tenant.id)
    run.status, run.started_at = SyncStatus.RUNNING, utcnow()
    stale(run)
    db.session.commit()
    resume_stale_syncs()
    run = reload(run.id)
    assert run.status == SyncStatus.QUEUED and run.errors == [{"client_id": None, "kind": "note",
                                                               "message": RESUMED}]
    assert huey.pending_count() == 1
    drain()
    run = reload(run.id)
    assert (run.status, run.processed, run.created) == (SyncStatus.DONE, 10, 10)
    assert [e["kind"] for e in run.errors] == ["note"]


def test_the_sweeper_leaves_live_runs_and_gives_up_after_repeated_deaths(app, wired_tenant, chatwoot):
    run = create_run(wired_tenant.id)
    run.status, run.heartbeat_at = SyncStatus.RUNNING, utcnow() - timedelta(seconds=30)
    db.session.commit()
    resume_stale_syncs()
    assert reload(run.id).status == SyncStatus.RUNNING and huey.pending_count() == 0
    run.errors = [{"client_id": None, "kind": "note", "message": RESUMED}] * (MAX_ATTEMPTS - 1)
    stale(run)
    db.session.commit()
    resume_stale_syncs()
    run = reload(run.id)
    assert (run.status, run.error) == (SyncStatus.FAILED, f"the worker stopped {MAX_ATTEMPTS} times during this run")


def test_the_sweeper_closes_a_dead_run_that_was_being_cancelled_and_requeues_lost_messages(
        app, wired_tenant, other_tenant, chatwoot):
    dying = create_run(wired_tenant.id)
    dying.status, dying.cancel_requested = SyncStatus.RUNNING, True
    stale(dying)
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        resume_stale_syncs()
    assert reload(dying.id).status == SyncStatus.CANCELLED
    lost = create_run(wired_tenant.id)  # queued, but its queue message was lost
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        resume_stale_syncs()
    assert reload(lost.id).status == SyncStatus.QUEUED and huey.pending_count() == 1
    drain()
    assert reload(lost.id).status == SyncStatus.DONE


def seed_people(sim, account_id: int, count: int) -> None:
    for i in range(0, count, 2):  # half of the clients are in Chatwoot already, some as +521
        sim.add_contact(account_id, name=f"WA {i}", phone_number=key(i) if i % 3 else "+521" + key(i)[3:])


def worker_env(app, tmp_path) -> dict:
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], INSTANCE_PATH=str(tmp_path),
               ENCRYPTION_KEYS=app.config["ENCRYPTION_KEYS"][0], SECRET_KEY="x")
    env.pop("REDIS_URL", None)
    return env


@pytest.mark.timeout(120)
def test_a_killed_worker_and_the_rerun_end_like_an_uninterrupted_run(app, tmp_path, wired_tenant, other_tenant,
                                                                     chatwoot):
    clients = 400
    sim = chatwoot.sim
    sim.add_account(account_id=2, name="Referencia")
    sim.add_user(token="tok-two", account_ids=[2])
    update_credentials(other_tenant.id, api_url=chatwoot.url, account_id="2", api_token="tok-two", enabled=True)
    for tenant, account_id, prefix in ((wired_tenant, ACCOUNT_ID, "u"), (other_tenant, 2, "d")):
        seed_people(sim, account_id, clients)
        seed_clients(tenant, clients, prefix=prefix)

    reference = chatwoot_client_matcher.sync_all_clients_to_chatwoot(other_tenant.id)
    assert (reference.status, reference.synced) == (SyncStatus.DONE, clients)

    run = start_sync(wired_tenant.id)
    db.session.commit()
    sim.set_latency(0.01, path_contains=f"/accounts/{ACCOUNT_ID}/contacts")
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker", "--no-periodic", "-w", "1"],
                              env=worker_env(app, tmp_path), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while sim.count("POST", f"/accounts/{ACCOUNT_ID}/contacts") < 60:
            assert time.monotonic() < deadline and worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
    sim.set_latency(0)
    killed = reload(run.id)
    created_before = sim.count("POST", f"/accounts/{ACCOUNT_ID}/contacts")
    assert killed.status == SyncStatus.RUNNING and created_before < clients // 2, "killed in the middle"

    with time_machine.travel(utcnow() + timedelta(seconds=90)):  # taken up within 90 s (INTERFACES §7)
        resume_stale_syncs()
    assert drain() == 1
    resumed = reload(run.id)
    assert resumed.status == SyncStatus.DONE and RESUMED in [e["message"] for e in resumed.errors]
    assert result_of(resumed).synced == clients
    assert sim.count("POST", f"/accounts/{ACCOUNT_ID}/contacts") == clients // 2, "nothing created twice"
    assert phone_duplicates(sim, ACCOUNT_ID) == []
    assert picture(sim, ACCOUNT_ID, wired_tenant) == picture(sim, 2, other_tenant)
    assert ADMIN_TOKEN not in (tmp_path / "worker.log").read_text()
