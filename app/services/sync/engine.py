"""One attempt of a contact sync: list the account's contacts once, match locally, link, create, push.

The engine never commits: `steps()` yields whenever its writes must be committed (after each client,
before the next Chatwoot call) and CHECKPOINT where the caller may report progress; the caller commits.

Chatwoot's search is limited to 100 requests per minute per account, so contacts are found by paging
through GET /contacts once and indexing them by canonical phone; a search is spent only when a create
answers 422 "already taken" (a contact that appeared after the listing).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Generator
from enum import StrEnum

from sqlalchemy import select

from app.chatwoot.client import ChatwootClient
from app.chatwoot.errors import ChatwootNotFound, ChatwootValidationError
from app.chatwoot.types import Contact
from app.extensions import db
from app.models import ChatwootConfig, Client, SyncRun, SyncStatus, utcnow
from app.phone import canonical_phone, parse_phone
from app.services.contacts.linking import (
    attributes_for_clients,
    attributes_hash,
    ensure_attribute_definitions,
    link_client,
    push_attributes,
    unlink_client,
)
from app.services.contacts.matching import tenant_region
from app.services.contacts.remote import find_contact_for_phone, preferred_contacts
from app.services.leases import renew_every

BATCH_SIZE = 50
LISTING_PAGES_PER_CHECKPOINT = 20
MAX_ENTRIES = 200
SEARCHES_PER_MINUTE = 50  # half of Chatwoot's limit: webhooks and sends share the account's budget
ACTOR = "sync"
NOTE, SKIPPED, FAILED = "note", "skipped", "failed"
WRITE, CHECKPOINT = "write", "checkpoint"  # what steps() yields: commit; commit and report progress


class Outcome(StrEnum):
    KEPT = "kept"
    UPDATED = "updated"
    LINKED = "linked"
    CREATED = "created"
    SKIPPED = "skipped"
    FAILED = "failed"


COUNTERS = {Outcome.CREATED: "created", Outcome.LINKED: "linked", Outcome.UPDATED: "updated",
            Outcome.FAILED: "failed"}


def add_entry(entries: list[dict] | None, client_id: str | None, kind: str, message: str) -> list[dict]:
    """A new list with one more entry, kept bounded (a new list, so the JSON column is saved)."""
    entries = list(entries or [])
    if len(entries) < MAX_ENTRIES:
        entries.append({"client_id": client_id, "kind": kind, "message": message})
    return entries


class ContactIndex:
    """The account's contacts by canonical phone key, from one pass over the listing."""

    def __init__(self, region: str):
        self.region = region
        self.ids: set[str] = set()
        self.by_key: dict[str, list[Contact]] = defaultdict(list)

    def add(self, contacts: list[Contact]) -> None:
        for contact in contacts:
            if contact.id in self.ids:
                continue  # the listing shifted under us and repeated a contact
            self.ids.add(contact.id)
            key = canonical_phone(contact.phone_number, self.region) if contact.phone_number else None
            if key:
                self.by_key[key].append(contact)

    def forget(self, contact_id: str) -> None:
        self.ids.discard(contact_id)
        for key, contacts in self.by_key.items():
            self.by_key[key] = [c for c in contacts if c.id != contact_id]

    def candidates(self, key: str) -> list[Contact]:
        """The person's contacts, best first (stored exactly as our key, then the lowest id)."""
        return preferred_contacts(self.by_key.get(key, []), key)


class SyncEngine:
    """Runs one attempt of a claimed run; the caller commits at each step, so links and counts are kept."""

    def __init__(self, run: SyncRun, api: ChatwootClient):
        self.run, self.api = run, api
        self.region = tenant_region(run.tenant_id)
        self.searches_before = run.searches or 0
        self.index = ContactIndex(self.region)
        self.sharing: Counter[str] = Counter()
        self.claimed: dict[str, str] = {}
        self._minute, self._minute_searches = -1, 0

    def steps(self) -> Generator[str, None, str]:
        """Sync every client of the tenant, yielding at each commit point; returns done or cancelled."""
        self._begin()
        yield WRITE
        self._define_attributes()
        if not (yield from self._list_contacts()):
            return SyncStatus.CANCELLED
        client_ids = self._plan()
        for start in range(0, len(client_ids), BATCH_SIZE):
            if (yield from self._checkpoint()):
                return SyncStatus.CANCELLED
            yield from self._sync_batch(client_ids[start:start + BATCH_SIZE])
        yield from self._checkpoint()
        return SyncStatus.DONE

    # -- phases ---------------------------------------------------------------------------------

    def _begin(self) -> None:
        # A resumed attempt goes over every client again: per-client results start afresh, while
        # created/linked/updated keep counting what earlier attempts changed.
        self.run.processed, self.run.failed = 0, 0
        self.run.errors = [e for e in self.run.errors or [] if e.get("kind") == NOTE]

    def _define_attributes(self) -> None:
        config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == self.run.tenant_id))
        if config is not None:
            ensure_attribute_definitions(self.api, config)

    def _list_contacts(self) -> Generator[str, None, bool]:
        """Page through GET /contacts once; False when cancelled meanwhile."""
        page = 1
        while True:
            listing = self.api.list_contacts(page)
            self.index.add(listing.contacts)
            if not listing.contacts or not listing.has_more:
                return True
            page += 1
            if (page % LISTING_PAGES_PER_CHECKPOINT == 0 or self._heartbeat_due()) \
                    and (yield from self._checkpoint()):
                return False

    def _plan(self) -> list[str]:
        """Client ids in a stable order, who shares a phone, and which contacts are already taken."""
        rows = db.session.execute(select(Client.id, Client.phone_e164, Client.chatwoot_contact_id)
                                  .where(Client.tenant_id == self.run.tenant_id).order_by(Client.id)).all()
        self.sharing = Counter(key for _, key, _ in rows if key)
        self.claimed = {contact_id: client_id for client_id, _, contact_id in rows if contact_id}
        self.run.total = len(rows)
        return [client_id for client_id, _, _ in rows]

    def _sync_batch(self, client_ids: list[str]) -> Generator[str, None, None]:
        clients = db.session.scalars(select(Client).where(Client.id.in_(client_ids)).order_by(Client.id)).all()
        attributes = attributes_for_clients(list(clients))
        for client in clients:
            try:
                outcome = self._sync_client(client, attributes[client.id])
            except (ChatwootValidationError, ChatwootNotFound) as exc:
                outcome = self._note(client, FAILED, f"Chatwoot: {exc.message}")
            self.run.processed += 1
            if outcome in COUNTERS:
                setattr(self.run, COUNTERS[outcome], getattr(self.run, COUNTERS[outcome]) + 1)
            if self._heartbeat_due():
                self.run.heartbeat_at = utcnow()
            yield WRITE  # this client's link and the counts are committed before the next call to Chatwoot

    def _heartbeat_due(self) -> bool:
        return utcnow() - (self.run.heartbeat_at or self.run.created_at) >= renew_every()

    def _checkpoint(self) -> Generator[str, None, bool]:
        """Commit progress and the heartbeat; True when someone asked to cancel."""
        self.run.searches = self.searches_before + self.api.stats.searches
        self.run.heartbeat_at = utcnow()
        yield CHECKPOINT
        return bool(db.session.scalar(select(SyncRun.cancel_requested).where(SyncRun.id == self.run.id)))

    # -- one client -----------------------------------------------------------------------------

    def _sync_client(self, client: Client, attributes: dict) -> Outcome:
        if client.chatwoot_contact_id:
            return self._keep(client, attributes)
        return self._attach(client, attributes)

    def _keep(self, client: Client, attributes: dict) -> Outcome:
        """A linked client keeps its contact (links made by hand included) unless Chatwoot lost it."""
        if client.chatwoot_contact_id not in self.index.ids and not self._exists(client.chatwoot_contact_id):
            return self._relink(client, attributes)
        try:
            return Outcome.UPDATED if push_attributes(self.api, client, attributes) else Outcome.KEPT
        except ChatwootNotFound:  # merged or deleted since the listing
            return self._relink(client, attributes)

    def _exists(self, contact_id: str) -> bool:
        """Contacts without phone, email or identifier are not listed, so ask for this one."""
        try:
            self.api.get_contact(contact_id)
        except ChatwootNotFound:
            return False
        return True

    def _relink(self, client: Client, attributes: dict) -> Outcome:
        """Attach the client anew (Chatwoot lost its contact); unlink it when no contact can be attached."""
        dead = client.chatwoot_contact_id
        self.index.forget(dead)
        self.claimed.pop(dead, None)
        outcome = self._attach(client, attributes)  # Chatwoot first: our writes follow the calls
        if client.chatwoot_contact_id == dead:
            unlink_client(None, client, ACTOR, self.run.started_by_id)
        return outcome

    def _attach(self, client: Client, attributes: dict) -> Outcome:
        """Link an unlinked client to its person's contact, or create that contact."""
        key = client.phone_e164
        if not key:
            return self._note(client, SKIPPED, "no valid phone number")
        if self.sharing[key] > 1:
            return self._note(client, SKIPPED, f"{self.sharing[key]} clients share the phone {key}; "
                                               "link the right one by hand")
        candidates = self.index.candidates(key)
        if not candidates:
            return self._create(client, key, attributes)
        free = [c for c in candidates if c.id not in self.claimed]
        if not free:
            owner = self.claimed[candidates[0].id]
            return self._note(client, SKIPPED, f"contact {candidates[0].id} with the phone {key} is already "
                                               f"linked to client {owner}")
        return self._link(client, free[0].id, attributes)

    def _link(self, client: Client, contact_id: str, attributes: dict) -> Outcome:
        """Push the attributes to the contact, then store the link (no write is open during the call)."""
        self.api.update_contact(contact_id, custom_attributes=attributes)
        link_client(None, client, contact_id, ACTOR, self.run.started_by_id)
        client.chatwoot_attributes_hash = attributes_hash(attributes)
        self.claimed[contact_id] = client.id
        return Outcome.LINKED

    def _create(self, client: Client, key: str, attributes: dict) -> Outcome:
        try:
            contact = self.api.create_contact(name=client.full_name or key, phone_number=key,
                                              custom_attributes=attributes)
        except ChatwootValidationError as exc:
            if not exc.already_taken:
                raise
            return self._resolve_taken(client, key, attributes, exc)
        self.index.add([contact])
        link_client(None, client, contact.id, ACTOR, self.run.started_by_id)
        client.chatwoot_attributes_hash = attributes_hash(attributes)
        self.claimed[contact.id] = client.id
        return Outcome.CREATED

    def _resolve_taken(self, client: Client, key: str, attributes: dict, taken: ChatwootValidationError) -> Outcome:
        """The contact appeared after the listing: one targeted search, then link it."""
        self._wait_for_search_slot()
        found = find_contact_for_phone(self.api, parse_phone(key, self.region))
        if found is None:
            raise taken
        self.index.add([found])
        if found.id in self.claimed:
            return self._note(client, SKIPPED, f"contact {found.id} with the phone {key} is already linked "
                                               f"to client {self.claimed[found.id]}")
        return self._link(client, found.id, attributes)

    def _wait_for_search_slot(self) -> None:
        """Stay well under Chatwoot's 100 searches per minute per account."""
        minute = int(self.api.clock() // 60)
        if minute != self._minute:
            self._minute, self._minute_searches = minute, 0
        if self._minute_searches >= SEARCHES_PER_MINUTE:
            self.api.sleep(60 - self.api.clock() % 60)
            self._minute, self._minute_searches = int(self.api.clock() // 60), 0
        self._minute_searches += 1

    def _note(self, client: Client, kind: str, message: str) -> Outcome:
        self.run.errors = add_entry(self.run.errors, client.id, kind, message)
        return Outcome.FAILED if kind == FAILED else Outcome.SKIPPED
