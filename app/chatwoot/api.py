"""The seed's chatwootApiService in Python (INTERFACES §6): a thin, seed-facing wrapper.

It may call services and it commits, because the seed calls it from plain scripts.
"""

from __future__ import annotations

from app.chatwoot.client import ChatwootClient, client_for_tenant
from app.chatwoot.errors import ChatwootError
from app.chatwoot.settings import ChatwootSettings, require_settings
from app.chatwoot.types import SendResult
from app.services.accounts.tenants import TenantError, require_tenant


class ChatwootApiService:
    """The seed's chatwootApiService in Python. Stateless: safe across threads and tenants."""

    def load_config_for_tenant(self, tenant_id: str) -> ChatwootSettings:
        """The effective settings (no network); raises ChatwootConfigError naming what is missing.

        `tenant_id` is the tenant's id or slug; an unknown one raises TenantError.
        """
        return require_settings(require_tenant(tenant_id).id)

    def client_for_tenant(self, tenant_id: str, **kwargs) -> ChatwootClient:
        return client_for_tenant(require_tenant(tenant_id).id, **kwargs)

    def send_message_to_contact(self, to: str, message: str, tenant_id: str) -> SendResult:
        """Send a text now to a phone number: find or create the contact, reuse or open a conversation."""
        from app.extensions import db
        from app.services.contacts.remote import send_text_to_phone

        try:
            result = send_text_to_phone(require_tenant(tenant_id).id, to, message)
        except TenantError as exc:
            return SendResult(success=False, error=str(exc))
        except ChatwootError as exc:
            return SendResult(success=False, error=exc.message)
        # The seed calls this from plain scripts: the facade commits the interaction it logged, once.
        db.session.commit()
        return result


chatwoot_api_service = ChatwootApiService()
