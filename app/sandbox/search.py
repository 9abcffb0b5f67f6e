"""Contact listing and search: 15 per page, resolved-only listing, LIKE/ILIKE substring search."""

from __future__ import annotations

from .formats import like_pattern
from .records import Contact
from .state import SimulatorState

PER_PAGE = 15


def account_contacts(state: SimulatorState, account_id: int) -> list[Contact]:
    """The account's contacts in id order."""
    found = [contact for contact in state.db.contacts.values() if contact.account_id == account_id]
    return sorted(found, key=lambda contact: contact.id)


def is_resolved(contact: Contact) -> bool:
    """Chatwoot's `resolved_contacts`: a non-empty email, phone number or identifier."""
    return any(value not in (None, "") for value in (contact.email, contact.phone_number, contact.identifier))


def page_of(items: list[Contact], page: int) -> list[Contact]:
    """One page of 15."""
    start = (page - 1) * PER_PAGE
    return items[start:start + PER_PAGE]


def resolved_contacts(state: SimulatorState, account_id: int) -> list[Contact]:
    """What `GET /contacts` lists."""
    return [contact for contact in account_contacts(state, account_id) if is_resolved(contact)]


def search_contacts(state: SimulatorState, account_id: int, term: str) -> list[Contact]:
    """`ILIKE '%term%'` on name, email and phone number; case-sensitive `LIKE` on identifier."""
    loose, strict = like_pattern(term, case_sensitive=False), like_pattern(term, case_sensitive=True)

    def hit(contact: Contact) -> bool:
        texts = (contact.name, contact.email, contact.phone_number)
        if any(text is not None and loose.fullmatch(text) for text in texts):
            return True
        return contact.identifier is not None and strict.fullmatch(contact.identifier) is not None

    return [contact for contact in account_contacts(state, account_id) if hit(contact)]
