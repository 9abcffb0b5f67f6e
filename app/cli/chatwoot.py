"""flask chatwoot …: credentials, checks, sync, client lookup, test messages, the simulator."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.chatwoot.api import chatwoot_api_service
from app.chatwoot.client_matcher import chatwoot_client_matcher
from app.chatwoot.errors import ChatwootConfigError
from app.chatwoot.settings import require_settings, tenant_rows, webhook_urls
from app.cli import committed, fail
from app.extensions import db
from app.jobs.sync import run_sync
from app.models import Client, SyncStatus, Tenant
from app.phone import canonical_phone, phone_error
from app.services.accounts.tenants import TenantError, require_tenant
from app.services.agents.assignment import map_stylist, set_default_assignee
from app.services.agents.panel import panel_url
from app.services.contacts.matching import MatchReason
from app.services.settings.credentials import ClaimRefused, configure_credentials
from app.services.settings.health import live_check, record_check
from app.services.sync.runs import SyncError, SyncResult, create_run, finish_run, result_of
from app.transactions import discard

SHOWN_ERRORS = 20


def _tenant(ref: str) -> Tenant:
    try:
        return require_tenant(ref)
    except TenantError as exc:
        fail(str(exc))


def _read_secrets(token_stdin: bool, secret_stdin: bool) -> tuple[str | None, str | None]:
    """Token on the first line, webhook secret on the next (each only when its flag is given)."""
    token = sys.stdin.readline().rstrip("\r\n") if token_stdin else None
    secret = sys.stdin.readline().rstrip("\r\n") if secret_stdin else None
    return token, secret


@click.group("chatwoot")
def chatwoot_group():
    """Chatwoot integration."""


@chatwoot_group.command("configure")
@click.argument("tenant")
@click.option("--api-url", help="Chatwoot address, e.g. https://app.chatwoot.com")
@click.option("--account-id", help="Chatwoot account id (a number)")
@click.option("--inbox-id", help="Chatwoot inbox id used to send (a number)")
@click.option("--token-stdin", is_flag=True, help="Read the API access token from standard input (first line)")
@click.option("--webhook-secret-stdin", is_flag=True, help="Read the webhook secret from standard input (next line)")
@click.option("--enable/--disable", "enabled", default=None, help="Turn the Chatwoot channel on or off")
@with_appcontext
def configure(tenant, api_url, account_id, inbox_id, token_stdin, webhook_secret_stdin, enabled):
    """Write a salon's Chatwoot credentials (secrets stored encrypted) and show the webhook URLs."""
    row = _tenant(tenant)
    token, secret = _read_secrets(token_stdin, webhook_secret_stdin)
    try:
        with committed(ChatwootConfigError):
            config, changed, proof = configure_credentials(row.id, api_url=api_url, account_id=account_id,
                                                           inbox_id=inbox_id, api_token=token,
                                                           webhook_secret=secret, enabled=enabled, by="cli")
    except ClaimRefused as exc:  # rolled back by the unit of work
        fail(f"nothing saved: {exc.message}")
    if proof:
        click.echo(f"Chatwoot confirmed account {proof.account_id}: {proof.user_name} ({proof.role}).")
    click.echo(f"Saved the Chatwoot settings of {row.slug}: {', '.join(changed) or 'nothing changed'}.")
    signed, by_token = webhook_urls(config)
    click.echo(f"Webhook URL (signed deliveries): {signed}")
    click.echo(f"Webhook URL for Chatwoot versions that do not sign: {by_token}")


@chatwoot_group.command("check")
@click.argument("tenant")
@with_appcontext
def check(tenant):
    """Validate the salon's credentials against Chatwoot (token, account, inbox)."""
    row = _tenant(tenant)
    result = live_check(row.id)  # only reads before asking Chatwoot: no write transaction waits on it
    with committed():
        record_check(row.id, result)
    if not result.ok:
        fail(result.message)
    click.echo(f"OK: {result.message}")
    click.echo(f"Inbox: {result.inbox_name} ({result.channel_type})")


@chatwoot_group.command("sync")
@click.argument("tenant")
@with_appcontext
def sync(tenant):
    """Link every client to its Chatwoot contact (creating missing ones), with a progress bar."""
    with committed(SyncError, ChatwootConfigError):
        run = create_run(_tenant(tenant).id, by="cli")
    with click.progressbar(length=max(run.total, 1), label="Syncing clients", file=sys.stderr) as bar:
        def progress(current):
            bar.length = max(current.total, 1)
            bar.update(current.processed - bar.pos)

        try:
            run = run_sync(run.id, progress)
        except KeyboardInterrupt:
            discard()
            with committed():
                finish_run(run, SyncStatus.CANCELLED, "interrupted from the command line")
            fail("interrupted; the links made so far are kept", code=130)
    _report(result_of(run))


def _report(result: SyncResult) -> None:
    click.echo(f"Synced {result.synced} of {result.total}")
    click.echo(f"created: {result.created}  linked: {result.linked}  updated: {result.updated}  "
               f"failed: {result.failed}  skipped: {result.skipped}  searches: {result.searches}")
    for entry in [e for e in result.errors if e.get("client_id")][:SHOWN_ERRORS]:
        click.echo(f"  {entry['kind']}: client {entry['client_id']}: {entry['message']}", err=True)
    if result.status != SyncStatus.DONE:
        fail(f"sync {result.status}" + (f": {result.error}" if result.error else ""))
    if result.failed:
        raise SystemExit(1)


@chatwoot_group.command("find-client")
@click.argument("tenant")
@click.argument("phone")
@with_appcontext
def find_client(tenant, phone):
    """The client a phone number belongs to, or why none matched."""
    row = _tenant(tenant)
    found = chatwoot_client_matcher.match(phone, row.id)
    if found.reason == MatchReason.MATCHED:
        client = found.client
        link = f", linked to Chatwoot contact {client.chatwoot_contact_id}" if client.chatwoot_contact_id else ""
        click.echo(f"{client.id}  {client.full_name}  {client.phone_e164}{link}")
    elif found.reason == MatchReason.AMBIGUOUS:
        names = "; ".join(f"{c.id} {c.full_name}" for c in found.candidates)
        fail(f"several clients share {found.phone_key}: {names}")
    elif found.reason == MatchReason.NO_MATCH:
        fail(f"no client of {row.slug} has the phone {found.phone_key}")
    else:
        fail(phone_error(phone, row.phone_region))


@chatwoot_group.command("send-test")
@click.argument("tenant")
@click.option("--to", "to", help="Phone number to send to")
@click.option("--client", "client_id", help="Client id to send to (its phone)")
@click.option("--message", required=True, help="Text to send")
@with_appcontext
def send_test(tenant, to, client_id, message):
    """Send a message now and print the conversation and message ids."""
    row = _tenant(tenant)
    if bool(to) == bool(client_id):
        fail("give exactly one of --to PHONE or --client ID")
    if client_id:
        client = db.session.scalar(select(Client).where(Client.id == client_id, Client.tenant_id == row.id))
        if client is None:
            fail(f"no client {client_id} in {row.slug}")
        to = client.phone
    result = chatwoot_api_service.send_message_to_contact(to=to, message=message, tenant_id=row.id)
    if not result.success:
        fail(result.error or "the message was not sent")
    click.echo(f"Sent: conversation {result.conversation_id}, message {result.message_id} "
               f"(contact {result.contact_id})")


@chatwoot_group.command("assign-stylist")
@click.argument("tenant")
@click.argument("staff_name")
@click.option("--agent-id", type=click.IntRange(min=1), help="The Chatwoot agent who takes her clients' conversations")
@click.option("--clear", is_flag=True, help="Remove the stylist's agent")
@with_appcontext
def assign_stylist(tenant, staff_name, agent_id, clear):
    """Map a CitaPlanner stylist (appointments.staff_name) to a Chatwoot agent."""
    if (agent_id is None) == (not clear):
        fail("give exactly one of --agent-id N or --clear")
    row = _tenant(tenant)
    with committed(ValueError):
        map_stylist(row, staff_name, None if clear else agent_id, "cli")
    click.echo(f"{staff_name.strip()}: " + ("no agent" if clear else f"agent {agent_id}"))


@chatwoot_group.command("default-assignee")
@click.argument("tenant")
@click.option("--agent-id", type=click.IntRange(min=1), help="The agent who takes conversations of unmapped stylists")
@click.option("--team-id", type=click.IntRange(min=1), help="The team, when there is no default agent")
@click.option("--clear", is_flag=True, help="Nobody: such conversations stay unassigned")
@with_appcontext
def default_assignee(tenant, agent_id, team_id, clear):
    """Set who takes a linked client's conversation when her stylist has no agent: the agent, else the team.

    Both are set at once; one left out is none.
    """
    if clear == (agent_id is not None or team_id is not None):
        fail("give --agent-id N and/or --team-id N, or --clear")
    row = _tenant(tenant)
    with committed(ValueError):
        set_default_assignee(row, "cli", agent_id=agent_id, team_id=team_id)
    click.echo(f"default agent: {agent_id or 'none'}; default team: {team_id or 'none'}")


@chatwoot_group.command("panel-url")
@click.argument("tenant")
@click.option("--rotate", is_flag=True, help="Make a new URL; the old one stops working at once")
@with_appcontext
def panel_url_command(tenant, rotate):
    """Print the salon's Dashboard App URL to add in Chatwoot (Settings → Integrations → Dashboard apps)."""
    row = _tenant(tenant)
    with committed():
        url = panel_url(row, rotate=rotate, by="cli")
    click.echo(url)


@chatwoot_group.group("simulator", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5055, show_default=True)
@click.option("--state", "state_path", type=click.Path(dir_okay=False),
              help="State file, kept across restarts [default: instance/chatwoot-simulator.json]")
@with_appcontext
def simulator(host, port, state_path):
    """Serve the bundled Chatwoot SIMULATOR with demo data (not a real Chatwoot); its state is kept on disk."""
    if click.get_current_context().invoked_subcommand is not None:
        return
    from flask import current_app

    from app.sandbox import open_demo_simulator, serve
    from app.sandbox.store import StateFileError

    path = state_path or current_app.config["SIMULATOR_STATE_PATH"]
    try:
        sim = open_demo_simulator(path)
    except StateFileError as exc:
        fail(f"{exc} (move the file away to start the simulator with fresh demo data)")
    click.echo(f"Chatwoot SIMULATOR (demo data, not a real Chatwoot) on http://{host}:{port}/  state: {path}")
    serve(host, port, sim)


@simulator.command("incoming")
@click.argument("tenant")
@click.option("--from", "phone", required=True, help="The customer's phone number")
@click.option("--text", required=True, help="What the customer writes")
@click.option("--name", help="The customer's WhatsApp profile name")
@with_appcontext
def incoming(tenant, phone, text, name):
    """The customer PHONE writes TEXT on the salon's WhatsApp inbox of the bundled simulator, which stores it
    and delivers the signed webhooks to this app as Chatwoot would."""
    from app.sandbox.remote import SimulatorControlError, post_incoming

    row = _tenant(tenant)
    try:
        settings = require_settings(row.id)
    except ChatwootConfigError as exc:
        fail(str(exc))
    number = _whatsapp_number(phone, row.phone_region)
    inbox = tenant_rows(row.id)[0].whatsapp_inbox_id
    discard()  # it only read: no transaction stays open while the simulator calls this app back
    try:
        result = post_incoming(settings.api_url, settings.api_token, int(settings.account_id), number, text, name,
                               int(inbox) if inbox and inbox.isdigit() else None)
    except SimulatorControlError as exc:
        fail(str(exc))
    _report_incoming(number, result)


def _whatsapp_number(phone: str, region: str) -> str:
    """As typed when international ("+521…" stays as WhatsApp sends it), else canonical in the salon's region."""
    problem = phone_error(phone, region)
    if problem:
        fail(problem)
    return phone.strip() if phone.strip().startswith("+") else canonical_phone(phone, region)


def _report_incoming(number: str, result: dict) -> None:
    """Where the message landed, each delivery; exit 1 unless `message_created` reached a webhook with a 2xx."""
    click.echo(f"{number} wrote on inbox {result['inbox_id']}: contact {result['contact_id']}"
               f"{' (new)' if result['new_contact'] else ''}, conversation {result['conversation_id']}, "
               f"message {result['message_id']}")
    for delivery in result["deliveries"]:
        click.echo(f"  {delivery['event']} -> {delivery['url']}: {delivery['error'] or delivery['status']}")
    delivered = [d for d in result["deliveries"] if d["event"] == "message_created"]
    if not delivered:
        fail("no webhook of the simulator's account is subscribed to message_created")
    if not any(d["status"] and 200 <= d["status"] < 300 for d in delivered):
        fail("the message_created webhook was not accepted (Chatwoot does not retry)")


COMMANDS = (chatwoot_group,)
