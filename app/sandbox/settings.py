"""Account settings: custom attribute definitions and account webhooks (validation and shapes)."""

from __future__ import annotations

import re
from typing import Any

from .errors import RecordInvalid
from .formats import as_text, blank, iso_ms
from .records import AttributeDefinition, Webhook
from .state import SimulatorState, random_token
from .webhooks import ALLOWED_EVENTS

DISPLAY_TYPES = ("text", "number", "currency", "percent", "link", "date", "list", "checkbox")
ATTRIBUTE_MODELS = ("conversation_attribute", "contact_attribute")
STANDARD_ATTRIBUTES = {
    "contact_attribute": ("name", "email", "phone_number", "identifier", "country_code", "city", "created_at",
                          "last_activity_at", "referer", "blocked"),
    "conversation_attribute": ("status", "priority", "assignee_id", "inbox_id", "team_id", "display_id",
                               "campaign_id", "labels", "browser_language", "country_code", "referer",
                               "created_at", "last_activity_at"),
}
KEY_CONFLICT = "Attribute key The provided key is not allowed as it might conflict with default attributes."
URL_RE = re.compile(r"\Ahttps?://[^\s/$.?#][^\s]*\Z", re.IGNORECASE)


def wrapped(params: dict[str, Any], key: str) -> dict[str, Any]:
    """Rails `wrap_parameters`: accept `{key: {...}}` or a flat body."""
    return params[key] if isinstance(params.get(key), dict) else params


def enum_name(value: Any, names: tuple[str, ...]) -> str | None:
    """An enum given by name or by integer index."""
    if isinstance(value, str) and value in names:
        return value
    index = int(value) if isinstance(value, str) and value.isdigit() else value
    if not isinstance(index, int) or isinstance(index, bool):
        return None
    return names[index] if 0 <= index < len(names) else None


def definition_json(definition: AttributeDefinition) -> dict[str, Any]:
    """`custom_attribute_definitions/_custom_attribute_definition`."""
    stamp = iso_ms(definition.created_at)
    return {"id": definition.id, "attribute_display_name": definition.display_name,
            "attribute_display_type": definition.display_type,
            "attribute_description": definition.description,
            "attribute_key": definition.key, "regex_pattern": definition.regex_pattern,
            "regex_cue": definition.regex_cue, "attribute_values": definition.values,
            "attribute_model": definition.model, "default_value": definition.default_value,
            "created_at": stamp, "updated_at": stamp}


def definitions_of(state: SimulatorState, account_id: int, model: Any) -> list[AttributeDefinition]:
    """The account's definitions, filtered by model when one is given."""
    wanted = enum_name(model, ATTRIBUTE_MODELS) if not blank(model) else None
    found = [d for d in state.db.attribute_definitions.values()
             if d.account_id == account_id and (wanted is None or d.model == wanted)]
    return sorted(found, key=lambda definition: definition.id)


def create_definition(state: SimulatorState, account_id: int, params: dict[str, Any]) -> AttributeDefinition:
    """Validate in model order (display name, key, display type, model, conflicts) and store."""
    body = wrapped(params, "custom_attribute_definition")
    name, key = as_text(body.get("attribute_display_name")), as_text(body.get("attribute_key"))
    display_type = enum_name(body.get("attribute_display_type"), DISPLAY_TYPES)
    model = enum_name(body.get("attribute_model"), ATTRIBUTE_MODELS)
    errors = _definition_errors(state, account_id, name, key, display_type, model)
    if errors:
        raise RecordInvalid(errors)
    definition = AttributeDefinition(
        id=state.db.allocate("attribute_definitions"), account_id=account_id, display_name=name, key=key,
        model=model, display_type=display_type, created_at=state.now(),
        description=as_text(body.get("attribute_description")),
        regex_pattern=as_text(body.get("regex_pattern")),
        regex_cue=as_text(body.get("regex_cue")), default_value=body.get("default_value"),
        values=list(body.get("attribute_values") or []))
    state.db.attribute_definitions[definition.id] = definition
    return definition


def _definition_errors(state: SimulatorState, account_id: int, name: str | None, key: str | None,
                       display_type: str | None, model: str | None) -> list[tuple[str, str]]:
    """The validation errors of a new definition."""
    errors = [] if not blank(name) else [("attribute_display_name", "Attribute display name can't be blank")]
    if blank(key):
        errors.append(("attribute_key", "Attribute key can't be blank"))
    elif any(d.key == key and d.model == model for d in definitions_of(state, account_id, None)):
        errors.append(("attribute_key", "Attribute key has already been taken"))
    if display_type is None:
        errors.append(("attribute_display_type", "Attribute display type can't be blank"))
    if model is None:
        errors.append(("attribute_model", "Attribute model can't be blank"))
    if key and key in STANDARD_ATTRIBUTES.get(model or "", ()):
        errors.append(("attribute_key", KEY_CONFLICT))
    return errors


def webhook_json(hook: Webhook) -> dict[str, Any]:
    """`webhooks/_webhook`, secret included."""
    return {"id": hook.id, "name": hook.name, "url": hook.url, "account_id": hook.account_id,
            "subscriptions": hook.subscriptions, "secret": hook.secret}


def save_webhook(state: SimulatorState, account_id: int, params: dict[str, Any],
                 hook: Webhook | None) -> Webhook:
    """Create (hook None) or update an account webhook after Chatwoot's validations."""
    body = wrapped(params, "webhook")
    url = as_text(body.get("url")) if "url" in body or hook is None else hook.url
    keep = hook is not None and "subscriptions" not in body
    subscriptions = hook.subscriptions if keep else body.get("subscriptions")
    errors = _webhook_errors(state, account_id, url, subscriptions, hook.id if hook else None)
    if errors:
        raise RecordInvalid(errors)
    if hook is None:
        hook = Webhook(state.db.allocate("webhooks"), account_id, url, random_token(28), [], None)
        state.db.webhooks[hook.id] = hook
    hook.url, hook.subscriptions = url, list(subscriptions)
    hook.name = as_text(body["name"]) if "name" in body else hook.name
    return hook


def _webhook_errors(state: SimulatorState, account_id: int, url: str | None, subscriptions: Any,
                    own_id: int | None) -> list[tuple[str, str]]:
    """URL unique per account and http(s); subscriptions a non-empty list of known events."""
    errors = []
    others = [h for h in state.db.webhooks.values() if h.account_id == account_id and h.id != own_id]
    if any(h.url == url for h in others):
        errors.append(("url", "Url has already been taken"))
    if not url or not URL_RE.match(url):
        errors.append(("url", "Url is invalid"))
    valid = isinstance(subscriptions, list) and subscriptions and set(subscriptions) <= set(ALLOWED_EVENTS)
    if not valid:
        errors.append(("subscriptions", "Subscriptions Invalid events"))
    return errors
