"""Contact tasks: the Chatwoot side of a link, unlink or move, done by the worker and polled by the page.

A dashboard action commits the link at once and queues one task: clear our attributes from the contact
the client left, push them to the contact it is linked to now. The worker claims the task (committed),
calls Chatwoot with no transaction open, then records the outcome in one short write. A transient
failure is retried a few times with backoff; anything else leaves a visible warning on the task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootError, ChatwootNotFound
from app.chatwoot.settings import require_settings
from app.extensions import db
from app.models import Client, ContactTask, ContactTaskStatus, User, utcnow
from app.queue import enqueue_after_commit
from app.services.audit import record
from app.services.contacts.linking import ATTRIBUTE_KEYS, attributes_hash, client_attributes

LEASE = timedelta(minutes=5)  # covers the client's own waits for a rate-limit window
STUCK_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 4
RETRY_SECONDS = 30
ACTOR = "worker"
JOB = "contact_task_job"


@dataclass
class TaskResult:
    """What the Chatwoot calls did: the first failing step and its error, and the hash pushed."""

    failed_step: str | None = None
    error: ChatwootError | None = None
    pushed_hash: str | None = None


def queue_task(client: Client, *, push_contact_id: str | None = None, clear_contact_id: str | None = None,
               by: User | None = None) -> ContactTask:
    """Store a pending task and send it to the worker once the caller commits (flush only)."""
    task = ContactTask(tenant_id=client.tenant_id, client_id=client.id, push_contact_id=push_contact_id,
                       clear_contact_id=clear_contact_id, status=ContactTaskStatus.PENDING, attempts=0,
                       created_by_id=by.id if by else None)
    db.session.add(task)
    db.session.flush()
    enqueue_after_commit(JOB, task.id)
    return task


def retry_task(task: ContactTask) -> None:
    """Put a failed task back in the queue (flush only)."""
    task.status, task.failed_step, task.error = ContactTaskStatus.PENDING, None, None
    task.attempts, task.leased_until, task.finished_at = 0, None, None
    db.session.flush()
    enqueue_after_commit(JOB, task.id)


def claim_task(task_id: str) -> ContactTask | None:
    """The task when this worker now owns an attempt, else None (flush only; the job commits)."""
    row = db.session.get(ContactTask, task_id, populate_existing=True)
    now = utcnow()
    if row is None or row.status != ContactTaskStatus.PENDING or (row.leased_until and row.leased_until > now):
        return None
    taken = db.session.execute(
        update(ContactTask).where(ContactTask.id == row.id, ContactTask.status == ContactTaskStatus.PENDING,
                                  ContactTask.attempts == row.attempts)
        .values(attempts=row.attempts + 1, leased_until=now + LEASE).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    db.session.refresh(row)
    return row


def perform(task: ContactTask) -> TaskResult:
    """Clear, then push: the Chatwoot calls, with no write of ours pending (the claim is committed)."""
    try:
        api = ChatwootClient.from_settings(require_settings(task.tenant_id))
    except ChatwootError as exc:
        return TaskResult("clear" if task.clear_contact_id else "push", exc)
    result = TaskResult()
    try:
        if task.clear_contact_id:
            _clear(api, task.clear_contact_id, result)
        client = db.session.get(Client, task.client_id) if task.client_id else None
        # Pushed only while the client is still on that contact: a later unlink or move has its own task.
        if task.push_contact_id and client is not None and client.chatwoot_contact_id == task.push_contact_id:
            _push(api, client, result)
    finally:
        api.close()
    return result


def _clear(api: ChatwootClient, contact_id: str, result: TaskResult) -> None:
    try:
        api.delete_contact_attributes(contact_id, ATTRIBUTE_KEYS)
    except ChatwootNotFound:
        pass  # the contact is gone: nothing left to clear
    except ChatwootError as exc:
        result.failed_step, result.error = "clear", exc


def _push(api: ChatwootClient, client: Client, result: TaskResult) -> None:
    attributes = client_attributes(client)
    try:
        api.update_contact(client.chatwoot_contact_id, custom_attributes=attributes)
    except ChatwootError as exc:
        if result.error is None:
            result.failed_step, result.error = "push", exc
        return
    result.pushed_hash = attributes_hash(attributes)


def record_result(task_id: str, result: TaskResult) -> ContactTask:
    """The short write after the calls: done, a retry later, or failed with a warning (flush only)."""
    task = db.session.get(ContactTask, task_id, populate_existing=True)
    client = db.session.get(Client, task.client_id) if task.client_id else None
    if result.pushed_hash and client is not None and client.chatwoot_contact_id == task.push_contact_id:
        client.chatwoot_attributes_hash = result.pushed_hash
    if result.error is None:
        task.status, task.failed_step, task.error = ContactTaskStatus.DONE, None, None
        task.leased_until, task.finished_at = None, utcnow()
    elif result.error.retryable and task.attempts < MAX_ATTEMPTS:
        _later(task, result)
    else:
        _fail(task, result)
    db.session.flush()
    return task


def _later(task: ContactTask, result: TaskResult) -> None:
    task.failed_step, task.error = result.failed_step, result.error.message
    task.leased_until = utcnow() + timedelta(seconds=RETRY_SECONDS * task.attempts)
    enqueue_after_commit(JOB, task.id, eta=task.leased_until)


def _fail(task: ContactTask, result: TaskResult) -> None:
    task.status, task.failed_step, task.error = ContactTaskStatus.FAILED, result.failed_step, result.error.message
    task.leased_until, task.finished_at = None, utcnow()
    if result.failed_step == "clear":
        record("client.unlink_attributes_left", tenant_id=task.tenant_id, by=ACTOR, user_id=task.created_by_id,
               target_type="client", target_id=task.client_id, contact_id=task.clear_contact_id, error=task.error)
    else:
        # chatwoot_attributes_hash stays unset, so the contact's next message or a sync pushes again.
        record("client.push_failed", tenant_id=task.tenant_id, by=ACTOR, user_id=task.created_by_id,
               target_type="client", target_id=task.client_id, contact_id=task.push_contact_id, error=task.error)


def stuck_task_ids(limit: int = 200) -> list[str]:
    """Pending tasks whose queue message was lost or whose worker died (lease run out)."""
    now = utcnow()
    return list(db.session.scalars(select(ContactTask.id).where(
        ContactTask.status == ContactTaskStatus.PENDING, ContactTask.updated_at <= now - STUCK_AFTER,
        or_(ContactTask.leased_until.is_(None), ContactTask.leased_until <= now)).limit(limit)))
