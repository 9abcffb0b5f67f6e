"""Webhook URLs without APP_BASE_URL: pages use the address they were requested on, the CLI 127.0.0.1:$PORT."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ChatwootConfig


def test_pages_show_the_address_they_were_requested_on(app, admin, tenant):
    app.config["APP_BASE_URL"] = ""
    token = db.session.scalar(select(ChatwootConfig.webhook_token).where(ChatwootConfig.tenant_id == tenant.id))
    settings = admin.get("/t/uno/settings/", base_url="http://localhost:5150").text
    assert 'value="http://localhost:5150/api/webhooks/chatwoot"' in settings
    assert f'value="http://localhost:5150/api/webhooks/chatwoot/{token}"' in settings
    assert ":5000" not in settings
    webhooks = admin.get("/t/uno/webhooks/", base_url="http://localhost:8443").text
    assert 'value="http://localhost:8443/api/webhooks/chatwoot"' in webhooks


def test_app_base_url_wins_over_the_requested_address(app, admin, tenant):
    app.config["APP_BASE_URL"] = "https://citas.example.mx"
    page = admin.get("/t/uno/settings/", base_url="http://localhost:5150").text
    assert 'value="https://citas.example.mx/api/webhooks/chatwoot"' in page and "localhost:5150" not in page


def test_the_cli_prints_the_port_it_serves_on(app, tenant, monkeypatch):
    app.config["APP_BASE_URL"] = ""
    monkeypatch.setenv("PORT", "5150")
    result = app.test_cli_runner().invoke(args=["chatwoot", "configure", "uno", "--webhook-secret-stdin"],
                                          input="un-secreto\n")
    assert result.exit_code == 0, result.output
    assert "Webhook URL (signed deliveries): http://127.0.0.1:5150/api/webhooks/chatwoot" in result.output
    monkeypatch.delenv("PORT")
    again = app.test_cli_runner().invoke(args=["chatwoot", "configure", "uno"])
    assert "Webhook URL (signed deliveries): http://127.0.0.1:5000/api/webhooks/chatwoot" in again.output
