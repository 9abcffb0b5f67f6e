"""flask apikey create|revoke, flask notifications retry, flask reminders run."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.cli import committed
from app.extensions import db
from app.models import Notification, NotificationStatus
from app.queue import enqueue
from app.services.accounts.tenants import TenantError, require_tenant
from app.services.notification_service import NotificationError, notification_service
from app.services.notifications.reminders import arm_upcoming_reminders, due_reminders
from app.services.settings.api_keys import ApiKeyError, create_api_key, revoke_api_key


@click.group("apikey")
def apikey_group():
    """Booking-system API keys."""


@apikey_group.command("create")
@click.argument("tenant")
@click.argument("name")
@with_appcontext
def apikey_create(tenant, name):
    """Create a key for TENANT; the key is printed once and never stored in clear."""
    with committed(TenantError, ApiKeyError):
        key, plaintext = create_api_key(require_tenant(tenant), name, by="cli")
    click.echo(f"id: {key.id}")
    click.echo(f"key: {plaintext}")
    click.echo("Keep this key now: it is shown only once (send it as 'Authorization: Bearer <key>').", err=True)


@apikey_group.command("revoke")
@click.argument("key_id")
@with_appcontext
def apikey_revoke(key_id):
    """Revoke a key by its id; requests with it get 401 from now on."""
    with committed(ApiKeyError):
        key = revoke_api_key(key_id, by="cli")
    click.echo(f"revoked: {key.id}\t{key.name}")


@click.group("notifications")
def notifications_group():
    """Outgoing notifications."""


def _report(notification: Notification) -> None:
    click.echo(f"{notification.id}\t{notification.status}\t{notification.reason or notification.last_error or ''}")


@notifications_group.command("retry")
@click.argument("notification_id")
@with_appcontext
def notifications_retry(notification_id):
    """Retry a failed notification now and print its new status."""
    with committed(NotificationError):
        row = db.session.get(Notification, notification_id)
        if row is None:
            raise NotificationError(f"no notification {notification_id}")
        notification_service.retry(row.id, row.tenant_id)
    result = notification_service.deliver(notification_id)
    _report(result)
    if result.status == NotificationStatus.FAILED:
        raise SystemExit(1)


@click.group("reminders")
def reminders_group():
    """Appointment reminders."""


@reminders_group.command("run")
@click.option("--queue", is_flag=True, help="Enqueue the due reminders for the worker instead of sending here")
@with_appcontext
def reminders_run(queue: bool):
    """Arm missing reminders, then send the ones that are due."""
    with committed():
        report = arm_upcoming_reminders()
    click.echo(f"armed: {report.armed}  skipped: {report.skipped}  not created: {report.not_created}")
    due = due_reminders()
    if queue:
        for notification_id in due:
            enqueue("deliver_notification", notification_id)
        click.echo(f"queued: {len(due)}")
        return
    results = [notification_service.deliver(notification_id) for notification_id in due]
    sent = sum(r.status == NotificationStatus.SENT for r in results)
    click.echo(f"due: {len(due)}  sent: {sent}")
    for result in results:
        if result.status != NotificationStatus.SENT:
            _report(result)


COMMANDS = (apikey_group, notifications_group, reminders_group)
