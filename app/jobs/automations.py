"""Automation jobs: send a reply into the customer's conversation, post a change to the booking system.

Each job claims its row and commits before calling out, so no write transaction is open during the call;
the outcome is written and committed afterwards.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update

from app.booking.callback import CallbackError, post_signed
from app.chatwoot.client import client_for_tenant
from app.chatwoot.errors import ChatwootError
from app.crypto import reveal
from app.extensions import db
from app.models import AutomationReply, CallbackDelivery, utcnow
from app.queue import app_task, enqueue_after_commit, register_sweeper
from app.services.automations.callback import next_retry
from app.services.automations.settings import automation_settings
from app.services.contacts.interactions import log_sent_message

REPLY_BACKOFF_SECONDS = (10, 60, 300, 1800)
STUCK_AFTER = timedelta(minutes=2)  # pending this long: its queue message was lost
STUCK_SENDING = timedelta(minutes=10)  # claimed this long ago: the worker died mid-call
SWEEP_BATCH = 200


def _claim(model, row_id: str) -> bool:
    """Move a pending row to `sending`; False when another worker has it or it is done."""
    result = db.session.execute(update(model).where(model.id == row_id, model.status == "pending")
                                .values(status="sending", attempts=model.attempts + 1)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


@app_task()
def send_automation_reply(reply_id: str) -> None:
    """Post the reply in its conversation, then log it (the echoed webhook then finds it logged, or an echo
    taken first becomes this row)."""
    if not _claim(AutomationReply, reply_id):
        return
    reply = db.session.get(AutomationReply, reply_id)
    tenant_id, conversation_id, content = reply.tenant_id, reply.conversation_id, reply.content
    db.session.commit()  # end the read transaction before the call
    try:
        message = _post_message(tenant_id, conversation_id, content)
    except ChatwootError as exc:
        _reply_failed(db.session.get(AutomationReply, reply_id), exc.message)
    else:
        reply = db.session.get(AutomationReply, reply_id)
        reply.status, reply.sent_at, reply.chatwoot_message_id = "sent", utcnow(), message.id
        log_sent_message(tenant_id, "automation_reply", client_id=reply.client_id, conversation_id=conversation_id,
                         message_id=message.id, content=content, status="sent")
    db.session.commit()


def _post_message(tenant_id: str, conversation_id: str, content: str):
    api = client_for_tenant(tenant_id, retries=0, rate_limit_waits=0)  # the job retries with backoff instead
    try:
        return api.create_message(conversation_id, content)
    finally:
        api.close()


def _reply_failed(reply: AutomationReply, error: str) -> None:
    reply.last_error = error[:2000]
    if reply.attempts < len(REPLY_BACKOFF_SECONDS) + 1:
        reply.status = "pending"
        enqueue_after_commit("send_automation_reply", reply.id,
                             eta=utcnow() + timedelta(seconds=REPLY_BACKOFF_SECONDS[reply.attempts - 1]))
    else:
        reply.status = "failed"


@app_task()
def deliver_booking_callback(delivery_id: str) -> None:
    """POST one change to the salon's booking system; a refusal or an error is retried for up to 24 hours."""
    row = db.session.get(CallbackDelivery, delivery_id)
    if row is None or (row.next_attempt_at is not None and row.next_attempt_at > utcnow()):
        db.session.rollback()
        return
    if not _claim(CallbackDelivery, delivery_id):
        return
    row = db.session.get(CallbackDelivery, delivery_id)
    settings = automation_settings(row.tenant_id)
    url, secret, body = settings.callback_url, reveal(settings.callback_secret), row.body
    db.session.commit()
    try:
        status = post_signed(url, secret, body)
    except CallbackError as exc:
        row = db.session.get(CallbackDelivery, delivery_id)
        row.last_error, row.response_status = str(exc)[:2000], exc.status
        next_retry(row)
    else:
        row = db.session.get(CallbackDelivery, delivery_id)
        row.status, row.response_status, row.delivered_at = "delivered", status, utcnow()
        row.last_error = row.next_attempt_at = None
    db.session.commit()


@register_sweeper
def requeue_stuck_automation_work() -> None:
    """Re-enqueue replies and callback deliveries whose queue message was lost or whose worker died.

    A reply left `sending` by a dead worker is retried: Chatwoot may then show it twice, which is better
    than a customer's confirmation never being answered.
    """
    now = utcnow()
    for model, task in ((AutomationReply, "send_automation_reply"), (CallbackDelivery, "deliver_booking_callback")):
        if model is CallbackDelivery:
            due = or_(CallbackDelivery.next_attempt_at.is_(None), CallbackDelivery.next_attempt_at <= now - STUCK_AFTER)
        else:  # a reply's retries wait in the queue's schedule; only a first send that never ran is lost
            due = (AutomationReply.attempts == 0) & (AutomationReply.updated_at <= now - STUCK_AFTER)
        stuck = or_((model.status == "pending") & due,
                    (model.status == "sending") & (model.updated_at <= now - STUCK_SENDING))
        ids = list(db.session.scalars(select(model.id).where(stuck).limit(SWEEP_BATCH)))
        if ids:
            db.session.execute(update(model).where(model.id.in_(ids), model.status == "sending")
                               .values(status="pending").execution_options(synchronize_session=False))
        for row_id in ids:
            enqueue_after_commit(task, row_id)
    db.session.commit()
