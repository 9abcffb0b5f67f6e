"""flask webhooks replay: run stored Chatwoot deliveries again."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.cli import committed, fail


@click.group("webhooks")
def webhooks_group():
    """Chatwoot webhook deliveries."""


@webhooks_group.command("replay")
@click.option("--tenant", "tenant_ref", help="Tenant id or slug (limits --all-failed; checks --event)")
@click.option("--event", "event_id", help="Replay this stored event")
@click.option("--all-failed", is_flag=True, help="Replay every failed event")
@with_appcontext
def replay(tenant_ref, event_id, all_failed):
    """Queue stored events for processing again: one (--event ID) or every failed one (--all-failed)."""
    from app.services.accounts.tenants import TenantError, require_tenant
    from app.services.webhooks.replay import ReplayError, find_event, replay_event, replay_failed

    if bool(event_id) == all_failed:
        fail("give either --event ID or --all-failed", 2)
    with committed(TenantError, ReplayError):
        tenant_id = require_tenant(tenant_ref).id if tenant_ref else None
        if event_id:
            event = find_event(event_id, tenant_id)
            replay_event(event.tenant_id if event else tenant_id or "", event_id)
            count = 1
        else:
            count = replay_failed(tenant_id)
    click.echo(f"Queued {count} event(s) for processing")


COMMANDS = (webhooks_group,)
