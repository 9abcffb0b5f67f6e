"""Work whose lease stops being renewed (a killed worker) is taken up by another worker within 90 s, once."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db, huey
from app.jobs.notifications import requeue_stuck_notifications
from app.jobs.webhooks import requeue_stuck_webhook_events
from app.models import ClientDeliveryLock, NotificationStatus, NotificationType, WebhookEvent, WebhookStatus, utcnow
from app.services.notification_service import notification_service
from app.services.notifications.attempts import claim
from app.services.notifications.delivery import delivery_steps
from app.services.webhooks.processing import claim_event
from tests.fixtures.notifications import drain, fresh, make_client, outgoing
from tests.fixtures.simulator import ACCOUNT_ID

TAKEOVER = timedelta(seconds=90)  # INTERFACES §7


def _dies_after_linking_the_contact(notification_id: str):
    """Run a worker's delivery up to the committed contact link, then stop as a killed process would."""
    row, uncertain = claim(notification_id)
    db.session.commit()
    steps = delivery_steps(row, uncertain)
    next(steps)  # checks done; the client's lock is next
    db.session.commit()
    next(steps)  # contact created in Chatwoot and linked (committed); the conversation is next
    db.session.commit()
    return steps  # kept alive: a killed worker never releases the client's lock


def test_a_delivery_whose_worker_died_is_taken_up_within_90_s_without_a_second_contact(wired_tenant, chatwoot):
    make_client(wired_tenant)
    row = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id", message="Hola")
    huey.flush()  # the worker that is about to die took the queue message
    dead = _dies_after_linking_the_contact(row.id)
    assert len(chatwoot.sim.contacts(ACCOUNT_ID)) == 1 and outgoing(chatwoot) == []
    died_at = utcnow()

    with time_machine.travel(died_at + timedelta(seconds=30), tick=False):
        assert requeue_stuck_notifications() == 0, "a lease renewed 30 s ago still holds"
    with time_machine.travel(died_at + TAKEOVER, tick=False):
        assert requeue_stuck_notifications() == 1
        assert drain() == 1
    sent = fresh(row.id)
    assert sent.status == NotificationStatus.SENT and sent.attempts == 2
    assert len(chatwoot.sim.contacts(ACCOUNT_ID)) == 1, "the contact the dead worker created is reused"
    assert [m["content"] for m in outgoing(chatwoot)] == ["Hola"]
    lock = db.session.scalar(select(ClientDeliveryLock).where(ClientDeliveryLock.client_id == "client-id"))
    assert lock.holder is None, "the new worker took the expired lock and released it"
    del dead


def test_a_long_delivery_renews_its_leases_so_nobody_takes_it(wired_tenant, chatwoot):
    make_client(wired_tenant)
    row = notification_service.send_notification(NotificationType.TEST, "CHATWOOT", "client-id", message="Hola")
    with time_machine.travel(utcnow() + timedelta(seconds=50), tick=False) as clock:
        steps = _dies_after_linking_the_contact(row.id)  # claimed at t+50 s
        clock.shift(timedelta(seconds=50))  # the conversation step comes 50 s later: a third of the lease passed
        next(steps)  # conversation opened; after the commit the leases are renewed
        db.session.commit()
        clock.shift(timedelta(seconds=50))  # 100 s after the claim, 50 s after the renewal
        db.session.expire_all()
        assert requeue_stuck_notifications() == 0, "the renewed lease still holds"
        lock = db.session.scalar(select(ClientDeliveryLock).where(ClientDeliveryLock.client_id == "client-id"))
        assert lock.leased_until > utcnow(), "and so does the client's lock"
        next(steps, None)  # posts and marks sent
        db.session.commit()
        steps.close()
    assert fresh(row.id).status == NotificationStatus.SENT and len(outgoing(chatwoot)) == 1


def test_a_webhook_event_whose_worker_died_is_processed_within_90_s(app, wired_tenant):
    event = WebhookEvent(tenant_id=wired_tenant.id, event="conversation_created", dedupe_key="conversation:7",
                         status=WebhookStatus.PENDING, raw_body='{"event": "conversation_created", "id": 7}')
    db.session.add(event)
    db.session.commit()
    assert claim_event(event.id)
    db.session.commit()  # then the worker is killed
    died_at = utcnow()
    with time_machine.travel(died_at + timedelta(seconds=30), tick=False):
        requeue_stuck_webhook_events()
        assert db.session.get(WebhookEvent, event.id, populate_existing=True).attempts == 1, "still leased"
    with time_machine.travel(died_at + TAKEOVER, tick=False):
        requeue_stuck_webhook_events()
        assert drain() == 1
    taken = db.session.get(WebhookEvent, event.id, populate_existing=True)
    assert taken.attempts == 2 and taken.status in (WebhookStatus.DONE, WebhookStatus.IGNORED)
