"""`ChatwootSimulator`: the in-memory Chatwoot, its fixture helpers, inspection and fault controls."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from . import conversations as conversation_rules
from . import messages as message_rules
from .contacts import insert_contact
from .faults import Faults, Hold, RequestRecord
from .inbound import Inbound, customer_writes
from .records import CHANNEL_TYPES, ROLES, SMS, WHATSAPP, Account, Inbox, Team, User
from .search import account_contacts
from .state import Tables, random_token
from .views import contact_json, conversation_json, message_json
from .webhooks import WebhookDelivery, WebhookState

DEFAULT_PROVIDERS = {WHATSAPP: "whatsapp_cloud", SMS: "default"}


class ChatwootSimulator(WebhookState):
    """A faithful stand-in for Chatwoot v4.15.1's Application API and webhooks (no database)."""

    def __init__(self, clock: Callable[[], float] | None = None, auto_deliver: bool = False):
        super().__init__(clock, auto_deliver)
        self.faults = Faults()
        self.request_log: list[RequestRecord] = []
        self.search_limit_per_minute = 100
        self._search_windows: dict[tuple[str, int], int] = {}
        self._log_lock = threading.Lock()

    def reset(self) -> None:
        """Forget every record, queued webhook, logged request and injected fault (the clock stays)."""
        with self.lock:
            self.db = Tables()
            self.channel_log, self.pending, self.deliveries = [], [], []
            self._search_windows.clear()
            self.search_limit_per_minute = 100
        self.faults.reset()
        self.clear_log()

    def add_account(self, account_id: int | None = None, name: str = "Account") -> int:
        """Create an account; returns its id."""
        with self.lock:
            account = Account(id=account_id or self.db.allocate("accounts"), name=name, created_at=self.now())
            self.db.accounts[account.id] = account
            return account.id

    def add_user(self, token: str, account_ids: list[int], role: str = "administrator", name: str = "Agent",
                 email: str | None = None) -> str:
        """Create a user with an access token in the given accounts; returns the token."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        with self.lock:
            user_id = self.next_user_id()
            address = email or f"user{user_id}@chatwoot.simulator"
            self.db.users[token] = User(user_id, token, name, address, role, list(account_ids))
            return token

    def add_team(self, account_id: int, name: str) -> int:
        """Create a team in the account (Chatwoot → Settings → Teams); returns its id."""
        with self.lock:
            team = Team(id=self.db.allocate("teams"), account_id=account_id, name=name)
            self.db.teams[team.id] = team
            return team.id

    def add_bot_token(self, token: str, account_id: int, name: str = "Agent Bot") -> str:
        """Create an agent bot token; bots get 401 on contacts and /profile."""
        with self.lock:
            bot = User(self.next_user_id(), token, name, "", "agent", [account_id], is_bot=True)
            self.db.users[token] = bot
            return token

    def add_inbox(self, account_id: int, name: str, channel_type: str = "Channel::Api", *,
                  inbox_id: int | None = None, message_templates: list[dict[str, Any]] | None = None,
                  lock_to_single_conversation: bool = False, members: list[str] | None = None,
                  phone_number: str | None = None, webhook_url: str | None = None,
                  secret: str | None = None) -> int:
        """Create an inbox; agents not listed in `members` get 401 on it. Returns its id."""
        if channel_type not in CHANNEL_TYPES:
            raise ValueError(f"channel_type must be one of {CHANNEL_TYPES}")
        with self.lock:
            new_id = inbox_id or self.db.allocate("inboxes")
            default_phone = f"+5255{new_id:08d}" if channel_type in DEFAULT_PROVIDERS else None
            inbox = Inbox(
                id=new_id, account_id=account_id, name=name, channel_type=channel_type,
                channel_id=len(self.db.inboxes) + 1, created_at=self.now(),
                phone_number=phone_number or default_phone, provider=DEFAULT_PROVIDERS.get(channel_type),
                message_templates=copy.deepcopy(message_templates or []),
                lock_to_single_conversation=lock_to_single_conversation, members=set(members or []),
                webhook_url=webhook_url, secret=secret or random_token(), hmac_token=random_token(),
                inbox_identifier=random_token())
            self.db.inboxes[inbox.id] = inbox
            return inbox.id

    def add_contact(self, account_id: int, name: str = "", phone_number: str | None = None,
                    email: str | None = None, identifier: str | None = None,
                    custom_attributes: dict[str, Any] | None = None,
                    additional_attributes: dict[str, Any] | None = None,
                    contact_id: int | None = None) -> int:
        """Insert a contact as-is, skipping validation (so tests can seed +52/+521 duplicates)."""
        fields = {"name": name, "phone_number": phone_number, "email": email, "identifier": identifier,
                  "custom_attributes": custom_attributes, "additional_attributes": additional_attributes}
        with self.lock:
            return insert_contact(self, account_id, fields, contact_id).id

    def add_incoming_message(self, account_id: int, inbox_id: int, contact_id: int, content: str,
                             source_id: str | None = None) -> tuple[int, int]:
        """The customer writes (opens the WhatsApp 24 h window); returns (display id, message id)."""
        with self.lock:
            message = conversation_rules.receive_incoming(
                self, account_id, inbox_id, contact_id, content, source_id)
            return message.conversation_id, message.id

    def customer_writes(self, account_id: int, phone: str, text: str, name: str | None = None,
                        inbox_id: int | None = None) -> tuple[Inbound, list[WebhookDelivery]]:
        """A customer writes on a WhatsApp inbox; the webhooks it fires are delivered before this returns."""
        with self._delivery_lock:
            with self.lock:
                landed = customer_writes(self, account_id, phone, text, name, inbox_id)
            self.save()
            return landed, self._deliver_queued()

    def set_message_status(self, account_id: int, message_id: int, status: str,
                           external_error: str | None = None) -> None:
        """A channel receipt (delivered/read/failed); fires `message_updated` when it changes anything."""
        with self.lock:
            message = self.db.messages.get(message_id)
            if message is None or message.account_id != account_id:
                raise KeyError(f"no message {message_id} in account {account_id}")
            message_rules.set_status(self, message, status, external_error)

    def contacts(self, account_id: int) -> list[dict[str, Any]]:
        """Every contact of the account (API shape with contact_inboxes), id order, resolved or not."""
        with self.lock:
            found = account_contacts(self, account_id)
            return copy.deepcopy([contact_json(self, contact, with_inboxes=True) for contact in found])

    def contact(self, account_id: int, contact_id: int) -> dict[str, Any] | None:
        """One contact in API shape, or None."""
        with self.lock:
            contact = self.contact_in(account_id, contact_id)
            return copy.deepcopy(contact_json(self, contact, with_inboxes=True)) if contact else None

    def conversations(self, account_id: int) -> list[dict[str, Any]]:
        """Every conversation of the account in API shape, by display id."""
        with self.lock:
            keys = sorted(key for key in self.db.conversations if key[0] == account_id)
            return copy.deepcopy([conversation_json(self, self.db.conversations[key]) for key in keys])

    def messages(self, account_id: int, conversation_display_id: int) -> list[dict[str, Any]]:
        """Every message of a conversation in API shape plus `additional_attributes` (template params)."""
        with self.lock:
            conversation = self.conversation_in(account_id, conversation_display_id)
            if conversation is None:
                return []
            found = self.conversation_messages(conversation)
            rows = [{**message_json(self, m), "additional_attributes": m.additional_attributes}
                    for m in found]
            return copy.deepcopy(rows)

    def webhooks(self, account_id: int) -> list[dict[str, Any]]:
        """The account webhooks, with their secrets."""
        with self.lock:
            hooks = [hook for hook in self.db.webhooks.values() if hook.account_id == account_id]
            return [{"id": h.id, "url": h.url, "secret": h.secret, "subscriptions": list(h.subscriptions)}
                    for h in sorted(hooks, key=lambda hook: hook.id)]

    def fail_next(self, n: int, status: int = 500, body: Any = None,
                  path_contains: str | None = None) -> None:
        """Answer the next `n` matching requests with `status` (JSON body for dict/list, text for str)."""
        self.faults.fail_next(n, status, body, path_contains)

    def set_latency(self, seconds: float, path_contains: str | None = None) -> None:
        """Delay matching requests by real seconds (0 turns it off)."""
        self.faults.set_latency(seconds, path_contains)

    def hold(self, path_contains: str | None = None, method: str | None = None, timeout: float = 30.0) -> Hold:
        """Hold matching requests until the returned Hold is released (a Chatwoot that hangs mid-call)."""
        return self.faults.hold(path_contains, method, timeout)

    def set_down(self, down: bool = True) -> None:
        """Answer every request with 503 "Service Unavailable" (stop the server for connection refused)."""
        self.faults.set_down(down)

    def rate_limit_next(self, n: int) -> None:
        """Answer the next `n` requests with 429 "Retry later" (no Retry-After)."""
        self.faults.rate_limit_next(n)

    def record_request(self, record: RequestRecord) -> None:
        """Append to the request log."""
        with self._log_lock:
            self.request_log.append(record)

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        """How many logged requests match the method and path fragment."""
        with self._log_lock:
            return sum(1 for record in self.request_log if (method is None or record.method == method.upper())
                       and (path_contains is None or path_contains in record.path))

    def clear_log(self) -> None:
        """Empty the request log."""
        with self._log_lock:
            self.request_log = []

    def search_allowed(self, account_key: str) -> bool:
        """Rack::Attack's fixed one-minute window for contact search, per account (every hit counts)."""
        with self.lock:
            window = (account_key, int(self.now() // 60))
            self._search_windows[window] = self._search_windows.get(window, 0) + 1
            return self._search_windows[window] <= self.search_limit_per_minute
