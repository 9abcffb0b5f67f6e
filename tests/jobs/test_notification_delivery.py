"""Delivery against the simulator over real HTTP: retries, permanent errors, outages, WhatsApp, concurrency."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db, huey
from app.jobs.notifications import deliver_notification, requeue_stuck_notifications
from app.models import AuditLog, Client, NotificationSettings, NotificationStatus, NotificationType, utcnow
from app.services.notification_service import notification_service
from app.services.notifications.client_lock import LockBusy, acquire, release
from tests.fixtures.notifications import drain, fresh, make_client, outgoing
from tests.fixtures.simulator import ACCOUNT_ID


def _settings(tenant) -> NotificationSettings:
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))


def _queue(message: str = "Hola {{clientName}}", client_id: str = "client-id", **kw):
    return notification_service.send_notification(NotificationType.TEST, "CHATWOOT", client_id, message=message, **kw)


def _after(row, seconds: float = 1):
    """A traveller to just after the row's next attempt is due."""
    return time_machine.travel(row.next_attempt_at + timedelta(seconds=seconds), tick=False)


def test_the_worker_job_delivers_once_and_a_second_run_does_nothing(wired_tenant, chatwoot):
    make_client(wired_tenant)
    row = _queue()
    assert drain() == 1
    deliver_notification(row.id)  # a duplicate queue message
    assert drain() == 1
    sent = fresh(row.id)
    assert sent.status == NotificationStatus.SENT and sent.attempts == 1
    assert [m["content"] for m in outgoing(chatwoot)] == ["Hola Juan Pérez"]
    client = db.session.get(Client, "client-id")
    assert client.chatwoot_contact_id == sent.chatwoot_contact_id  # linked for next time
    assert chatwoot.sim.contacts(ACCOUNT_ID)[0]["phone_number"] == "+525512345678"


def test_a_contact_another_client_holds_gets_the_message_but_is_not_linked_twice(wired_tenant, chatwoot):
    contact_id = str(chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan", phone_number="+525512345678"))
    make_client(wired_tenant, client_id="first", phone="+525599990000", chatwoot_contact_id=contact_id,
                chatwoot_linked_at=utcnow())
    make_client(wired_tenant)  # a new client whose phone is that contact's
    rows = [_queue(), _queue("Segundo")]
    drain()
    for row in rows:
        sent = fresh(row.id)
        assert sent.status == NotificationStatus.SENT and sent.chatwoot_contact_id == contact_id
        assert "linked to another client" in sent.reason
    assert [m["content"] for m in outgoing(chatwoot)] == ["Hola Juan Pérez", "Segundo"]
    db.session.expire_all()
    assert db.session.get(Client, "client-id").chatwoot_contact_id is None
    assert db.session.get(Client, "first").chatwoot_contact_id == contact_id
    refused = db.session.scalars(select(AuditLog).where(AuditLog.action == "client.link_refused")).all()
    assert [(a.object_id, a.details["linked_to"]) for a in refused] == [("client-id", "first")] * 2


def test_two_500s_then_success_sends_exactly_one_message(wired_tenant, chatwoot):
    make_client(wired_tenant)
    chatwoot.sim.fail_next(2, status=500)
    row = _queue(sync=True)
    assert row.status == NotificationStatus.SENT
    assert len(outgoing(chatwoot)) == 1


def test_500s_on_the_post_retry_with_backoff_and_still_send_one_message(wired_tenant, chatwoot):
    make_client(wired_tenant)
    chatwoot.sim.fail_next(2, status=500, path_contains="/messages")
    row = _queue(sync=True)
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    assert "500" in row.last_error and row.next_attempt_at > utcnow()
    while row.status == NotificationStatus.PENDING and row.attempts < 3:
        with _after(row):
            row = notification_service.deliver(row.id)
    assert row.status == NotificationStatus.SENT and row.attempts in (2, 3)
    assert len(outgoing(chatwoot)) == 1


def test_a_bad_token_fails_after_one_call_with_chatwoots_reason(wired_tenant, chatwoot):
    make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_api_token = "not-a-token"
    db.session.commit()
    chatwoot.sim.clear_log()
    row = _queue(sync=True)
    assert row.status == NotificationStatus.FAILED
    assert row.reason == "Chatwoot refused the access token or the inbox (401): Invalid Access Token"
    assert chatwoot.sim.count() == 1 and row.next_attempt_at is None


def test_simulator_down_the_row_waits_and_goes_out_when_it_returns(wired_tenant, chatwoot):
    make_client(wired_tenant)
    chatwoot.server.stop()
    row = _queue(sync=True)
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at > utcnow() and "could not connect" in row.last_error
    queued = huey.dequeue()
    assert queued.args == (row.id,) and queued.eta is not None  # the retry is scheduled
    chatwoot.server.start()
    with _after(row):
        huey.execute(queued)
    sent = fresh(row.id)
    assert sent.status == NotificationStatus.SENT and sent.attempts == 2
    assert len(outgoing(chatwoot)) == 1


def test_a_503_outage_backs_off_exponentially_then_gives_up(wired_tenant, chatwoot, app):
    app.config["NOTIFICATION_MAX_ATTEMPTS"] = 3
    make_client(wired_tenant)
    chatwoot.sim.set_down()
    row = _queue(sync=True)
    first_delay = row.next_attempt_at - utcnow()
    with _after(row):
        row = notification_service.deliver(row.id)
        second_delay = row.next_attempt_at - utcnow()
    assert timedelta(seconds=15) <= first_delay <= timedelta(seconds=30)
    assert timedelta(seconds=30) <= second_delay <= timedelta(seconds=60)
    with _after(row):
        row = notification_service.deliver(row.id)
    assert row.status == NotificationStatus.FAILED and row.reason.startswith("gave up after 3 attempts")
    assert outgoing(chatwoot) == []


def test_whatsapp_outside_the_window_sends_the_approved_template(wired_tenant, chatwoot):
    make_client(wired_tenant)
    settings = _settings(wired_tenant)
    settings.chatwoot_inbox_id = str(chatwoot.whatsapp_inbox_id)
    settings.whatsapp_templates = {"TEST": {"name": "recordatorio_cita", "language": "es_MX",
                                            "params": ["clientName"]}}
    db.session.commit()
    row = _queue(sync=True)
    assert row.status == NotificationStatus.SENT
    sent = chatwoot.sim.channel_log[-1]
    assert sent["kind"] == "template" and sent["outcome"] == "sent"
    assert sent["template"] == {"name": "recordatorio_cita", "language": "es_MX",
                                "processed_params": {"body": {"1": "Juan Pérez"}}}


def test_whatsapp_inside_the_window_sends_free_text(wired_tenant, chatwoot):
    client = make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_inbox_id = str(chatwoot.whatsapp_inbox_id)
    db.session.commit()
    contact_id = chatwoot.sim.add_contact(ACCOUNT_ID, name="Juan", phone_number="+525512345678")
    chatwoot.sim.add_incoming_message(ACCOUNT_ID, chatwoot.whatsapp_inbox_id, contact_id, "Hola, ¿a qué hora?")
    row = _queue(sync=True)
    assert row.status == NotificationStatus.SENT and db.session.get(Client, client.id).chatwoot_contact_id == str(
        contact_id)
    assert chatwoot.sim.channel_log[-1]["kind"] == "session"
    assert len(chatwoot.sim.conversations(ACCOUNT_ID)) == 1  # the customer's conversation was reused


def test_whatsapp_window_closed_without_a_template_fails_with_the_reason(wired_tenant, chatwoot):
    make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_inbox_id = str(chatwoot.whatsapp_inbox_id)
    db.session.commit()
    row = _queue(sync=True)
    assert row.status == NotificationStatus.FAILED
    assert "24-hour window is closed and no approved template is configured for TEST" in row.reason
    assert outgoing(chatwoot) == [] and chatwoot.sim.channel_log == []


def test_whatsapp_template_not_approved_in_the_inbox_fails_before_sending(wired_tenant, chatwoot):
    make_client(wired_tenant)
    settings = _settings(wired_tenant)
    settings.chatwoot_inbox_id = str(chatwoot.whatsapp_inbox_id)
    settings.whatsapp_templates = {"TEST": {"name": "promo_inexistente", "language": "es_MX", "params": []}}
    db.session.commit()
    row = _queue(sync=True)
    assert row.status == NotificationStatus.FAILED and "promo_inexistente (es_MX) is not an approved" in row.reason
    assert outgoing(chatwoot) == []


def _deliver_in_thread(app, notification_id: str, results: dict, barrier: threading.Barrier) -> None:
    with app.app_context():
        barrier.wait()
        results[notification_id] = notification_service.deliver(notification_id).status
        db.session.remove()


def test_two_notifications_at_once_to_a_new_client_make_one_contact_and_one_conversation(app, wired_tenant,
                                                                                         chatwoot):
    make_client(wired_tenant)
    chatwoot.sim.set_latency(0.5, path_contains="/conversations")  # widen the race window
    ids = [_queue(f"Mensaje {n}").id for n in (1, 2)]
    results, barrier = {}, threading.Barrier(2)
    threads = [threading.Thread(target=_deliver_in_thread, args=(app, i, results, barrier)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == {ids[0]: NotificationStatus.SENT, ids[1]: NotificationStatus.SENT}
    assert len(chatwoot.sim.contacts(ACCOUNT_ID)) == 1
    assert len(chatwoot.sim.conversations(ACCOUNT_ID)) == 1
    assert sorted(m["content"] for m in outgoing(chatwoot)) == ["Mensaje 1", "Mensaje 2"]


def test_the_client_lock_excludes_others_and_expires_with_its_lease(wired_tenant):
    make_client(wired_tenant)
    holder = acquire("client-id")
    try:
        acquire("client-id", wait=0.2)
    except LockBusy:
        pass
    else:
        raise AssertionError("a second holder got the lock")
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        other = acquire("client-id", wait=0)  # the first holder died: its lease ran out
    release("client-id", holder)  # a late release does not free the new holder's lock
    try:
        acquire("client-id", wait=0)
    except LockBusy:
        pass
    else:
        raise AssertionError("a stale release freed the lock")
    release("client-id", other)
    release("client-id", acquire("client-id", wait=0))


def test_a_stale_contact_id_is_re_resolved_once(wired_tenant, chatwoot):
    client = make_client(wired_tenant)
    client.chatwoot_contact_id = "9999"  # merged away in Chatwoot
    db.session.commit()
    row = _queue(sync=True)
    assert row.status == NotificationStatus.SENT
    contact = chatwoot.sim.contacts(ACCOUNT_ID)[0]
    assert db.session.get(Client, "client-id").chatwoot_contact_id == str(contact["id"]) == row.chatwoot_contact_id


def test_a_worker_that_died_after_posting_does_not_send_twice(wired_tenant, chatwoot):
    make_client(wired_tenant)
    first = _queue(sync=True)
    row = _queue("Segundo aviso")
    drain()
    row = fresh(row.id)
    # Rewind the row to how a worker that died right after Chatwoot answered would have left it.
    row.status, row.chatwoot_message_id, row.sent_at = NotificationStatus.PENDING, None, None
    row.leased_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert notification_service.deliver(row.id).status == NotificationStatus.PENDING  # the lease still holds
    with time_machine.travel(row.leased_until + timedelta(minutes=3), tick=False):
        assert requeue_stuck_notifications() == 1
        drain()
    again = fresh(row.id)
    assert again.status == NotificationStatus.SENT and again.chatwoot_message_id
    assert [m["content"] for m in outgoing(chatwoot)] == [first.message, "Segundo aviso"]


def test_an_uncertain_post_is_checked_before_posting_again(wired_tenant, chatwoot):
    make_client(wired_tenant)
    chatwoot.sim.fail_next(1, status=502, path_contains="/messages")
    row = _queue(sync=True)
    assert row.status == NotificationStatus.PENDING and row.leased_until is not None  # outcome unknown
    chatwoot.sim.clear_log()
    with _after(row):
        row = notification_service.deliver(row.id)
    assert row.status == NotificationStatus.SENT and len(outgoing(chatwoot)) == 1
    assert chatwoot.sim.count("GET", "/messages") == 1  # it looked before posting


def test_the_sweep_requeues_rows_whose_queue_message_was_lost(wired_tenant, chatwoot):
    make_client(wired_tenant)
    row = _queue()
    huey.flush()  # the queue lost the message
    assert requeue_stuck_notifications() == 0  # not stuck yet
    with time_machine.travel(utcnow() + timedelta(minutes=3), tick=False):
        assert requeue_stuck_notifications() == 1
        assert requeue_stuck_notifications() == 0  # not again until it is stuck again
        drain()
    assert fresh(row.id).status == NotificationStatus.SENT


HOLD_LOCK = """
import sys, time
from app import create_app
from app.config import test_settings
from app.services.notifications.client_lock import acquire, release
from pathlib import Path
app = create_app(test_settings(Path(sys.argv[1]), SQLALCHEMY_DATABASE_URI=sys.argv[2]))
with app.app_context():
    holder = acquire("client-id")
    print("held", flush=True)
    sys.stdin.readline()
    release("client-id", holder)
"""


def test_the_client_lock_holds_across_processes(app, wired_tenant, tmp_path):
    make_client(wired_tenant)
    (tmp_path / "other").mkdir()
    command = [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "other"), app.config["SQLALCHEMY_DATABASE_URI"]]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as other:
        try:
            assert other.stdout.readline().strip() == "held"
            try:
                acquire("client-id", wait=0.3)
            except LockBusy:
                pass
            else:
                raise AssertionError("this process got a lock another process holds")
            other.communicate("\n", timeout=30)
        finally:
            other.kill()
    release("client-id", acquire("client-id", wait=0))


def test_lock_and_idempotency_hold_on_every_backend(any_db_app):
    from app.services.accounts.tenants import create_tenant

    tenant = create_tenant("Salón BD", slug="bd")
    db.session.commit()
    make_client(tenant)
    holder = acquire("client-id")
    try:
        acquire("client-id", wait=0.2)
        raise AssertionError("a second holder got the lock")
    except LockBusy:
        pass
    release("client-id", holder)
    release("client-id", acquire("client-id", wait=0))
    ids, barrier = [], threading.Barrier(3)

    def request():
        with any_db_app.app_context():
            barrier.wait()
            ids.append(notification_service.send_notification("TEST", "CHATWOOT", "client-id",
                                                              idempotency_key="once").id)
            db.session.remove()

    threads = [threading.Thread(target=request) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(ids) == 3 and len(set(ids)) == 1


def test_an_inbox_that_does_not_exist_fails_with_chatwoots_answer(wired_tenant, chatwoot):
    make_client(wired_tenant)
    _settings(wired_tenant).chatwoot_inbox_id = "999"
    db.session.commit()
    row = _queue(sync=True)
    assert row.status == NotificationStatus.FAILED and "Resource could not be found" in row.reason
    assert outgoing(chatwoot) == []
