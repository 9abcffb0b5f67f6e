"""WEBHOOK_RETENTION_DAYS: the periodic sweep deletes old raw webhook bodies; the interaction log stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from app.extensions import db
from app.models import ChatwootInteraction, WebhookEvent, WebhookStatus, new_id, utcnow
from app.queue import run_sweepers


def _event(tenant, age_days: float, status: str) -> str:
    event_id = new_id()
    db.session.execute(insert(WebhookEvent).values(
        id=event_id, tenant_id=tenant.id, event="message_created", dedupe_key=f"k:{event_id}",
        raw_body='{"event": "message_created", "content": "mi teléfono es 55 1234 5678"}', signed=True,
        status=status, attempts=1, received_at=utcnow() - timedelta(days=age_days)))
    return event_id


def _remaining() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(WebhookEvent.id)))


def test_config_default_and_validation(app, monkeypatch):
    from app.config import ConfigError, load_settings

    assert load_settings()["WEBHOOK_RETENTION_DAYS"] == 30
    monkeypatch.setenv("WEBHOOK_RETENTION_DAYS", "7")
    assert load_settings()["WEBHOOK_RETENTION_DAYS"] == 7
    monkeypatch.setenv("WEBHOOK_RETENTION_DAYS", "0")
    with pytest.raises(ConfigError):
        load_settings()


def test_sweep_deletes_finished_events_past_retention(app, tenant):
    old = {status: _event(tenant, 31, status) for status in (WebhookStatus.DONE, WebhookStatus.IGNORED,
                                                             WebhookStatus.FAILED)}
    pending_old = _event(tenant, 31, WebhookStatus.PENDING)
    recent = _event(tenant, 29, WebhookStatus.DONE)
    db.session.add(ChatwootInteraction(tenant_id=tenant.id, event="message_created", direction="incoming",
                                       content_preview="hola", message_id="1"))
    db.session.commit()
    assert run_sweepers() == []
    assert _remaining() == {pending_old, recent}
    assert not set(old.values()) & _remaining()
    assert db.session.scalar(select(ChatwootInteraction.content_preview)) == "hola"


def test_retention_follows_the_setting(app, tenant):
    app.config["WEBHOOK_RETENTION_DAYS"] = 2
    kept, gone = _event(tenant, 1, WebhookStatus.DONE), _event(tenant, 3, WebhookStatus.DONE)
    db.session.commit()
    run_sweepers()
    assert _remaining() == {kept} and gone not in _remaining()


def test_sweep_works_in_batches(app, tenant):
    from app.services.webhooks import retention

    for _ in range(retention.BATCH + 3):
        _event(tenant, 40, WebhookStatus.DONE)
    db.session.commit()
    run_sweepers()
    assert _remaining() == set()
