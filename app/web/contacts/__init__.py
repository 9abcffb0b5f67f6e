"""Contacts: clients linked to Chatwoot contacts and the unmatched-contact queue."""

from app.web.tenant_bp import tenant_blueprint

bp = tenant_blueprint("contacts", __name__, "/contacts")

from app.web.contacts import linked_routes, unmatched_routes  # noqa: E402, F401  (register the views)
