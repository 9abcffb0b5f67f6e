"""The simulator's records in a JSON file, so the demo's Chatwoot survives a restart (ids are never reused)."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .records import (
    Account,
    AttributeDefinition,
    CannedResponse,
    Contact,
    ContactInbox,
    Conversation,
    Inbox,
    Message,
    Team,
    User,
    Webhook,
)
from .state import Tables

FORMAT = 1
# Tables keyed by their `id`; users (keyed by token) and conversations (keyed by account + display id) aside.
BY_ID = {"accounts": Account, "inboxes": Inbox, "contacts": Contact, "webhooks": Webhook,
         "attribute_definitions": AttributeDefinition, "canned_responses": CannedResponse, "teams": Team}


class StateFileError(RuntimeError):
    """The state file cannot be read as simulator state."""


def dump_tables(tables: Tables) -> dict[str, Any]:
    """Every record as plain JSON data (the lookup indexes are rebuilt on load)."""
    data: dict[str, Any] = {name: _rows(getattr(tables, name).values()) for name in BY_ID}
    data.update(users=_rows(tables.users.values()), conversations=_rows(tables.conversations.values()),
                contact_inboxes=_rows(tables.contact_inboxes.values()), messages=_rows(tables.messages.values()),
                sequences=dict(tables.sequences))
    return {"format": FORMAT, "tables": data}


def _rows(records: Any) -> list[dict[str, Any]]:
    """Dataclass records as dicts, sets as sorted lists."""
    rows = []
    for record in records:
        row = dataclasses.asdict(record)
        rows.append({key: sorted(value) if isinstance(value, set) else value for key, value in row.items()})
    return rows


def load_tables(document: dict[str, Any]) -> Tables:
    """Tables from `dump_tables` output, indexes rebuilt, messages in id order."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(f"not a simulator state file of format {FORMAT}")
    data = document["tables"]
    tables = Tables(sequences={str(k): int(v) for k, v in data.get("sequences", {}).items()})
    for name, record_type in BY_ID.items():
        getattr(tables, name).update({row["id"]: record_type(**row) for row in data.get(name, [])})
    for inbox in tables.inboxes.values():
        inbox.members = set(inbox.members)
    tables.users.update({row["token"]: User(**row) for row in data.get("users", [])})
    for row in data.get("conversations", []):
        conversation = Conversation(**row)
        tables.conversations[(conversation.account_id, conversation.display_id)] = conversation
    for row in sorted(data.get("contact_inboxes", []), key=lambda item: item["id"]):
        tables.add_link(ContactInbox(**row))
    for row in sorted(data.get("messages", []), key=lambda item: item["id"]):
        tables.add_message(Message(**row))
    return tables


class StateFile:
    """One JSON file holding the simulator's tables; written atomically, readable by its owner only."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def exists(self) -> bool:
        """Whether a state was saved before."""
        return self.path.exists()

    def read(self) -> Tables:
        """The saved tables."""
        try:
            return load_tables(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StateFileError(f"{self.path}: {exc}") from exc

    def write(self, tables: Tables) -> None:
        """Replace the file in one step, so a crash mid-write never leaves half a state."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(dump_tables(tables), ensure_ascii=False, separators=(",", ":"))
        handle, temporary = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
