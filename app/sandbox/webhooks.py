"""Webhook events: payload builders, the delivery queue, Rails-style bodies and HMAC signing."""

from __future__ import annotations

import copy
import hashlib
import hmac
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import requests

from .formats import rails_json
from .messages import set_status
from .payloads import contact_webhook, conversation_webhook, message_webhook
from .records import ACTIVITY, API, Contact, Conversation, Message, Webhook
from .state import SimulatorState, random_token

ALLOWED_EVENTS = (
    "conversation_created", "conversation_status_changed", "conversation_updated", "contact_created",
    "contact_updated", "message_created", "message_updated", "webwidget_triggered", "inbox_created",
    "inbox_updated", "conversation_typing_on", "conversation_typing_off",
)
ACCOUNT_ONLY_EVENTS = {"contact_created", "contact_updated", "inbox_created", "inbox_updated"}
INBOX_EVENTS = frozenset(ALLOWED_EVENTS) - ACCOUNT_ONLY_EVENTS
WEBHOOK_TIMEOUT = 5
AUTO = "auto"  # add_webhook(secret=AUTO) generates a secret, as every server since v4.11.2 does


@dataclass
class PendingDelivery:
    """One queued POST; the body is built when it is delivered, as Chatwoot's job does."""

    url: str
    secret: str | None
    kind: str  # "account_webhook" | "api_inbox_webhook"
    event: str
    build: Callable[[], dict[str, Any]]
    message_id: int | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST the simulator made."""

    url: str
    event: str | None
    status: int | None
    error: str | None
    headers: dict[str, str]
    body: bytes
    at: float


def encode_body(payload: Any) -> bytes:
    """The exact body bytes: Rails `to_json` (compact, `< > &` escaped)."""
    return rails_json(payload).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 over "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class WebhookState(SimulatorState):
    """Adds account webhooks, event queueing and delivery to the simulator state."""

    def __init__(self, clock: Callable[[], float] | None = None, auto_deliver: bool = False):
        super().__init__(clock)
        self.auto_deliver = auto_deliver
        self.pending: list[PendingDelivery] = []
        self.deliveries: list[WebhookDelivery] = []
        self._delivery_lock = threading.Lock()

    def add_webhook(self, account_id: int, url: str, secret: str | None = AUTO,
                    subscriptions: list[str] | None = None, name: str | None = None) -> int:
        """Register an account webhook (all events by default); `secret=None` emulates an unsigned server."""
        with self.lock:
            hook = Webhook(id=self.db.allocate("webhooks"), account_id=account_id, url=url,
                           secret=random_token(28) if secret == AUTO else secret,
                           subscriptions=list(subscriptions or ALLOWED_EVENTS), name=name)
            self.db.webhooks[hook.id] = hook
            return hook.id

    def build_message_created(self, account_id: int, message_id: int) -> dict[str, Any]:
        """The `message_created` body for a message, from the current state."""
        return self._message_event(account_id, message_id, "message_created")

    def build_message_updated(self, account_id: int, message_id: int) -> dict[str, Any]:
        """The `message_updated` body for a message, from the current state."""
        return self._message_event(account_id, message_id, "message_updated")

    def _message_event(self, account_id: int, message_id: int, event: str) -> dict[str, Any]:
        """A message event body (raises KeyError for an unknown message)."""
        with self.lock:
            message = self.db.messages.get(message_id)
            if message is None or message.account_id != account_id:
                raise KeyError(f"no message {message_id} in account {account_id}")
            return copy.deepcopy({**message_webhook(self, message), "event": event})

    def build_conversation_event(self, account_id: int, display_id: int, event: str,
                                 changed_attributes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A conversation event body; `conversation_status_changed` always carries null changed_attributes."""
        with self.lock:
            conversation = self.conversation_in(account_id, display_id)
            if conversation is None:
                raise KeyError(f"no conversation {display_id} in account {account_id}")
            data = {**conversation_webhook(self, conversation), "event": event}
        if event == "conversation_status_changed":
            data["changed_attributes"] = None
        elif event != "conversation_created":
            data["changed_attributes"] = changed_attributes or []
        return copy.deepcopy(data)

    def build_contact_event(self, account_id: int, contact_id: int, event: str,
                            changed_attributes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A contact event body; `contact_updated` adds `changed_attributes`."""
        with self.lock:
            contact = self.contact_in(account_id, contact_id)
            if contact is None:
                raise KeyError(f"no contact {contact_id} in account {account_id}")
            data = {**contact_webhook(self, contact), "event": event}
        if event != "contact_created":
            data["changed_attributes"] = changed_attributes or []
        return copy.deepcopy(data)

    def emit_message(self, event: str, message: Message) -> None:
        """Queue a message event (activity messages are never sent)."""
        if message.message_type != ACTIVITY:
            build = partial(self._message_event, message.account_id, message.id, event)
            self._enqueue(message.account_id, event, message.inbox_id, build, message.id)

    def emit_conversation(self, event: str, conversation: Conversation,
                          changed: list[dict] | None = None) -> None:
        """Queue a conversation event; `changed_attributes` is captured now, the rest at delivery."""
        key = (conversation.account_id, conversation.display_id)
        build = partial(self.build_conversation_event, *key, event, changed)
        self._enqueue(conversation.account_id, event, conversation.inbox_id, build)

    def emit_contact(self, event: str, contact: Contact, changed: list[dict] | None = None) -> None:
        """Queue a contact event (account webhooks only)."""
        build = partial(self.build_contact_event, contact.account_id, contact.id, event, changed)
        self._enqueue(contact.account_id, event, None, build)

    def _enqueue(self, account_id: int, event: str, inbox_id: int | None, build: Callable[[], dict[str, Any]],
                 message_id: int | None = None) -> None:
        """Fan an event out to subscribed account webhooks and the API inbox's webhook_url."""
        hooks = sorted(self.db.webhooks.values(), key=lambda hook: hook.id)
        targets = [(hook.url, hook.secret, "account_webhook") for hook in hooks
                   if hook.account_id == account_id and event in hook.subscriptions]
        inbox = self.db.inboxes.get(inbox_id) if inbox_id is not None else None
        if inbox and inbox.channel_type == API and inbox.webhook_url and event in INBOX_EVENTS:
            targets.append((inbox.webhook_url, inbox.secret, "api_inbox_webhook"))
        for url, secret, kind in targets:
            self.pending.append(PendingDelivery(url, secret, kind, event, build, message_id))
        if targets and self.auto_deliver:
            threading.Thread(target=self.deliver_pending_webhooks, name="sim-webhooks", daemon=True).start()

    def deliver_pending_webhooks(self) -> list[WebhookDelivery]:
        """Send every queued event now, in order; bodies reflect the state at this moment."""
        with self._delivery_lock:
            return self._deliver_queued()

    def _deliver_queued(self) -> list[WebhookDelivery]:
        """Take the queue and send it (the caller holds the delivery lock, not the state lock)."""
        with self.lock:
            batch, self.pending = self.pending, []
            prepared = [(item, self._build(item)) for item in batch]
        return [self._deliver(item, payload) for item, payload in prepared if payload is not None]

    def _build(self, item: PendingDelivery) -> dict[str, Any] | None:
        """The body, or None when the record is gone (e.g. a merged-away contact)."""
        try:
            return item.build()
        except KeyError:
            return None

    def _deliver(self, item: PendingDelivery, payload: dict[str, Any]) -> WebhookDelivery:
        """POST once, no retries; a failed API-inbox message delivery marks the message failed."""
        _, delivery, _ = self._post(item.url, payload, item.secret, None)
        if delivery.error and item.kind == "api_inbox_webhook" and item.message_id is not None:
            self._fail_message(item.message_id, delivery.error)
        return delivery

    def _fail_message(self, message_id: int, error: str) -> None:
        """`Webhooks::Trigger#handle_error` for API inboxes."""
        with self.lock:
            message = self.db.messages.get(message_id)
            if message is not None and set_status(self, message, "failed", error):
                self.save()

    def send_webhook(self, url: str, event_payload: dict[str, Any], secret: str | None,
                     timestamp: int | None = None) -> requests.Response:
        """POST one event the way `Webhooks::Trigger` does; connection errors propagate."""
        response, _, failure = self._post(url, event_payload, secret, timestamp)
        if failure is not None:
            raise failure
        return response

    def _post(self, url: str, payload: dict[str, Any], secret: str | None,
              timestamp: int | None) -> tuple[Any, WebhookDelivery, Exception | None]:
        """Sign (when there is a secret), POST with the 5 s timeout and record the attempt."""
        body = encode_body(payload)
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "X-Chatwoot-Delivery": str(uuid.uuid4())}
        if secret:
            stamp = str(int(self.now()) if timestamp is None else timestamp)
            headers["X-Chatwoot-Timestamp"] = stamp
            headers["X-Chatwoot-Signature"] = signature(secret, stamp, body)
        response, status, error, failure = None, None, None, None
        try:
            response = requests.post(url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT)
            status = response.status_code
            error = None if response.ok else f"{response.status_code} {response.reason}"
        except requests.RequestException as exc:
            error, failure = type(exc).__name__, exc
        delivery = WebhookDelivery(url, payload.get("event"), status, error, headers, body, self.now())
        self.deliveries.append(delivery)
        return response, delivery, failure
