"""Settings: write-only secrets, effective values and their sources, the live check, every section saved
and audited, field-level errors that keep the other sections, booking-API keys."""

import re
import time

import pytest
from sqlalchemy import select, text

from app.crypto import is_encrypted, reveal
from app.extensions import db
from app.models import ApiKey, AuditLog, ChatwootConfig, NotificationSettings, NotificationTemplate
from app.services.automations.settings import automation_settings
from tests.fixtures.simulator import ACCOUNT_ID, ADMIN_TOKEN

TOKEN = "TOKEN-NEVER-SHOWN-7f3a9c"
SECRET = "WHSECRET-NEVER-SHOWN-51d2e8"
HX = {"HX-Request": "true"}


def rows(tenant):
    s = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    c = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    db.session.refresh(s)
    db.session.refresh(c)
    return s, c


def audits(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def credentials(url="https://chat.example.com", account="3", inbox="7", token=""):
    return {"api_url": url, "account_id": account, "inbox_id": inbox, "token": token}


@pytest.fixture
def member(chatwoot):
    """TOKEN belongs to a user of the simulator's account 1, so Chatwoot confirms the claim."""
    chatwoot.sim.add_user(token=TOKEN, account_ids=[ACCOUNT_ID], role="administrator", name="Ana Admin")
    return chatwoot


def test_credentials_are_saved_encrypted_and_audited(admin, admin_user, tenant, member):
    response = admin.post("/t/uno/settings/credentials", credentials(url=member.url, account="1", token=TOKEN))
    assert response.status_code == 302 and response.headers["Location"].endswith("/t/uno/settings/#credenciales")
    s, _ = rows(tenant)
    assert (s.chatwoot_api_url, s.chatwoot_account_id, s.chatwoot_inbox_id) == (member.url, "1", "7")
    assert is_encrypted(s.chatwoot_api_token) and reveal(s.chatwoot_api_token) == TOKEN
    [line] = audits("settings.credentials")
    assert line.actor == admin_user.email and line.user_id == admin_user.id and line.details["token_replaced"]
    assert line.details["account_proven"] == {"account_id": "1", "role": "administrator"}
    assert TOKEN not in str(line.details)
    page = admin.get("/t/uno/settings/")
    assert "configurado" in page.text and "Reemplazar token" in page.text and TOKEN not in page.text


def test_an_empty_token_field_keeps_the_stored_token(admin, tenant, member):
    admin.post("/t/uno/settings/credentials", credentials(url=member.url, account="1", token=TOKEN))
    assert admin.post("/t/uno/settings/credentials", credentials(url=member.url, account="1", inbox="8")
                      ).status_code == 302
    s, _ = rows(tenant)
    assert s.chatwoot_inbox_id == "8" and reveal(s.chatwoot_api_token) == TOKEN
    moved = admin.post("/t/uno/settings/credentials", credentials(url="https://other.example.com", account="1"))
    assert moved.status_code == 422 and "Una dirección nueva de Chatwoot necesita su token" in moved.text
    s, _ = rows(tenant)
    assert s.chatwoot_api_url == member.url and reveal(s.chatwoot_api_token) == TOKEN


def test_invalid_credentials_answer_422_keep_what_was_typed_and_the_other_sections(admin, tenant):
    admin.post("/t/uno/settings/reminders", {"offsets": "3 h", "quiet_start": "22:00", "quiet_end": "07:00"})
    response = admin.post("/t/uno/settings/credentials", credentials(url="chat.example.com", account="tres",
                                                                      token=TOKEN))
    assert response.status_code == 422
    assert "Escribe la dirección completa" in response.text and "Solo números" in response.text
    assert 'value="chat.example.com"' in response.text and 'value="tres"' in response.text
    # The first field in error takes the focus, so the browser shows it instead of the top of the page.
    invalid = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', response.text)
    assert invalid and all("autofocus" in tag for tag in invalid) and 'name="api_url"' in invalid[0]
    assert 'value="3 h"' in response.text and 'value="22:00"' in response.text  # another section, as stored
    assert TOKEN not in response.text
    s, _ = rows(tenant)
    assert s.chatwoot_api_url is None and s.chatwoot_api_token is None


def test_sources_of_effective_values(app, admin, tenant):
    app.config["CHATWOOT_API_URL"] = "https://env.example.com"
    db.session.execute(text("UPDATE chatwoot_configs SET account_id = '12', api_access_token = 'plain-from-sql' "
                            "WHERE tenant_id = :t"), {"t": tenant.id})
    db.session.commit()
    page = admin.get("/t/uno/settings/").text
    assert re.search(r"env\.example\.com</code> ·\s*<span class=\"source\">origen: variable de entorno", page)
    assert re.search(r"<code>12</code> ·\s*<span class=\"source\">origen: chatwoot_configs", page)
    # chatwoot_configs' token never goes with the environment's URL (INTERFACES §2), so it is not in effect.
    assert "plain-from-sql" not in page and "guardado sin cifrar" not in page


def test_plaintext_token_written_by_sql_is_flagged_until_saved(admin, tenant):
    db.session.execute(text("UPDATE notification_settings SET chatwoot_enabled = true, chatwoot_api_url = "
                            "'https://app.chatwoot.com', chatwoot_api_token = :tok, chatwoot_account_id = '1', "
                            "chatwoot_inbox_id = '2' WHERE tenant_id = :t"), {"tok": TOKEN, "t": tenant.id})
    db.session.commit()
    page = admin.get("/t/uno/settings/").text
    assert "guardado sin cifrar" in page and TOKEN not in page
    admin.post("/t/uno/settings/credentials", credentials(url="https://app.chatwoot.com", account="1", inbox="2"))
    s, _ = rows(tenant)
    assert is_encrypted(s.chatwoot_api_token) and reveal(s.chatwoot_api_token) == TOKEN
    assert "guardado sin cifrar" not in admin.get("/t/uno/settings/").text


def test_test_connection_shows_inbox_name_and_channel_type(admin, wired_tenant):
    partial = admin.post("/t/uno/settings/check", headers=HX)
    assert partial.status_code == 200 and "<html" not in partial.text
    assert "Conexión correcta" in partial.text and "Integración CRM" in partial.text
    assert "Channel::Api" in partial.text
    full = admin.post("/t/uno/settings/check")  # without JavaScript: the whole page with the result
    assert full.status_code == 200 and "<html" in full.text and "Integración CRM" in full.text
    _, c = rows(wired_tenant)
    assert c.last_check_ok is True and c.inbox_name == "Integración CRM"


def test_test_connection_names_the_exact_problem(admin, wired_tenant, chatwoot):
    admin.post("/t/uno/settings/credentials", credentials(url=chatwoot.url, account=str(ACCOUNT_ID), inbox="999"))
    partial = admin.post("/t/uno/settings/check", headers=HX)
    assert "No se pudo conectar" in partial.text and "La bandeja 999 no existe en la cuenta" in partial.text
    assert "Bandejas que este token puede usar" in partial.text
    refused = admin.post("/t/uno/settings/credentials", credentials(url=chatwoot.url, account=str(ACCOUNT_ID),
                                                                    inbox=str(chatwoot.api_inbox_id),
                                                                    token="wrong-token"))
    assert refused.status_code == 422 and "Chatwoot no aceptó el token de acceso" in refused.text
    db.session.execute(text("UPDATE notification_settings SET chatwoot_api_token = 'wrong-token'"))
    db.session.commit()
    partial = admin.post("/t/uno/settings/check", headers=HX)
    assert "No se pudo conectar" in partial.text and "token de acceso" in partial.text
    assert "wrong-token" not in partial.text and ADMIN_TOKEN not in partial.text


def test_test_connection_never_waits_out_a_rate_limit_or_retries(admin, wired_tenant, chatwoot):
    chatwoot.sim.rate_limit_next(5)
    chatwoot.sim.clear_log()
    started = time.monotonic()
    partial = admin.post("/t/uno/settings/check", headers=HX)
    assert time.monotonic() - started < 2 and chatwoot.sim.count() == 1
    assert "No se pudo conectar" in partial.text and "limitando las solicitudes" in partial.text
    _, c = rows(wired_tenant)
    assert c.last_check_ok is False and "429" in c.last_check_message


def test_test_connection_gives_up_on_a_hanging_chatwoot_within_its_timeout(app, admin, wired_tenant, chatwoot):
    app.config["CHATWOOT_CHECK_TIMEOUT"] = 0.5
    hold = chatwoot.sim.hold("/profile")
    try:
        started = time.monotonic()
        partial = admin.post("/t/uno/settings/check", headers=HX)
        assert time.monotonic() - started < 3
    finally:
        hold.release()
    assert "No se pudo conectar" in partial.text and "timed out" in partial.text


def test_webhook_urls_events_and_rotation(app, admin, tenant):
    app.config["APP_BASE_URL"] = "https://citas.example.com"
    _, c = rows(tenant)
    old_token = c.webhook_token
    page = admin.get("/t/uno/settings/").text
    assert 'value="https://citas.example.com/api/webhooks/chatwoot"' in page
    assert f'value="https://citas.example.com/api/webhooks/chatwoot/{old_token}"' in page
    assert 'data-copy="webhook-url"' in page and 'data-copy="webhook-token-url"' in page
    for event in ("message_created", "message_updated", "conversation_created", "conversation_updated",
                  "conversation_status_changed", "contact_created", "contact_updated"):
        assert f"<code>{event}</code>" in page
    assert admin.post("/t/uno/settings/webhook-token/rotate").status_code == 302
    _, c = rows(tenant)
    assert c.webhook_token != old_token and len(c.webhook_token) >= 24
    assert audits("settings.webhook_token_rotated")
    assert old_token not in admin.get("/t/uno/settings/").text


def test_webhook_secret_is_write_only(admin, tenant):
    response = admin.post("/t/uno/settings/webhook-secret", {"secret": "short"})
    assert response.status_code == 422 and "Entre 8 y 200 caracteres" in response.text
    assert admin.post("/t/uno/settings/webhook-secret", {"secret": SECRET}).status_code == 302
    _, c = rows(tenant)
    assert is_encrypted(c.webhook_secret) and reveal(c.webhook_secret) == SECRET
    page = admin.get("/t/uno/settings/").text
    assert "Reemplazar secreto" in page and SECRET not in page
    assert audits("settings.webhook_secret")[0].details == {"changed": {}, "secret_replaced": True}


def test_toggles(admin, tenant):
    admin.post("/t/uno/settings/toggles", {"chatwoot_enabled": "y", "auto_create": "y"})
    s, c = rows(tenant)
    assert (s.chatwoot_enabled, c.accept_unsigned_webhooks, c.auto_create_clients) == (True, False, True)
    admin.post("/t/uno/settings/toggles", {"accept_unsigned": "y"})
    s, c = rows(tenant)
    assert (s.chatwoot_enabled, c.accept_unsigned_webhooks, c.auto_create_clients) == (False, True, False)
    assert audits("settings.toggles")[-1].details["changed"]["chatwoot_enabled"] == [True, False]


def test_chatwoot_edits_flowing_back_is_a_switch_off_by_default(admin, tenant):
    page = admin.get("/t/uno/settings/").text
    assert 'name="accept_contact_edits"' in page and "corrijan los agentes en Chatwoot" in page
    assert rows(tenant)[1].accept_contact_edits is False
    admin.post("/t/uno/settings/toggles", {"accept_contact_edits": "y"})
    assert rows(tenant)[1].accept_contact_edits is True
    assert audits("settings.toggles")[-1].details["changed"]["accept_contact_edits"] == [False, True]


@pytest.mark.parametrize(("typed", "stored"), [("24 h, 2 h", "1440,120"), ("90 min; 1 hora", "90,60"),
                                                ("30m, 2h, 30 min", "120,30"), ("", "")])
def test_reminder_offsets_in_hours_or_minutes(admin, tenant, typed, stored):
    response = admin.post("/t/uno/settings/reminders", {"offsets": typed, "quiet_start": "21:00",
                                                        "quiet_end": "08:00", "send_reminders": "y"})
    assert response.status_code == 302
    s, _ = rows(tenant)
    assert s.reminder_offsets_minutes == stored and s.send_reminders and not s.send_confirmations


@pytest.mark.parametrize(("data", "message"), [
    ({"offsets": "mañana"}, "«mañana» no se entiende"),
    ({"offsets": "24"}, "«24» no se entiende"),
    ({"offsets": "31 h, 900 h"}, "entre 1 minuto y 30 días"),
    ({"offsets": "1 h", "quiet_start": "25:00", "quiet_end": "08:00"}, "formato HH:MM"),
    ({"offsets": "1 h", "quiet_start": "21:00"}, "Escribe ambas horas"),
    ({"offsets": "1 h", "quiet_start": "21:00", "quiet_end": "21:00"}, "distinta de la inicial"),
])
def test_reminder_errors_are_field_level_and_keep_the_input(admin, tenant, data, message):
    response = admin.post("/t/uno/settings/reminders", data)
    assert response.status_code == 422 and message in response.text
    assert f'value="{data["offsets"]}"' in response.text
    s, _ = rows(tenant)
    assert s.reminder_offsets_minutes == "1440,120"


def test_template_saved_previewed_and_reset(admin, tenant):
    field = "tpl-APPOINTMENT_REMINDER-body"
    body = "Hola {{clientName}}, te esperamos en {{salonName}} el {{appointmentDate}}."
    assert admin.post("/t/uno/settings/templates/APPOINTMENT_REMINDER", {field: body}).status_code == 302
    row = db.session.scalar(select(NotificationTemplate).where(NotificationTemplate.tenant_id == tenant.id))
    assert (row.type, row.body) == ("APPOINTMENT_REMINDER", body)
    preview = admin.post("/t/uno/settings/templates/APPOINTMENT_REMINDER/preview", {field: body}, headers=HX)
    assert "Hola María López, te esperamos en Salón Uno el" in preview.text and "<html" not in preview.text
    missing = admin.post("/t/uno/settings/templates/MARKETING/preview", {"tpl-MARKETING-body": "Hola {{promo}}"},
                         headers=HX)
    assert "Falta el valor de: promo" in missing.text
    full = admin.post("/t/uno/settings/templates/MARKETING/preview", {"tpl-MARKETING-body": "Hola {{promo}}"})
    assert "<html" in full.text and "Falta el valor de: promo" in full.text and "Hola {{promo}}" in full.text
    admin.post("/t/uno/settings/templates/APPOINTMENT_REMINDER", {field: ""})
    assert db.session.scalar(select(NotificationTemplate)) is None
    assert len(audits("settings.template")) == 2


def test_automatic_templates_refuse_unknown_variables(admin, tenant):
    response = admin.post("/t/uno/settings/templates/APPOINTMENT_REMINDER",
                          {"tpl-APPOINTMENT_REMINDER-body": "Hola {{clientNmae}}"})
    assert response.status_code == 422 and "clientNmae" in response.text and "Hola {{clientNmae}}" in response.text
    assert db.session.scalar(select(NotificationTemplate)) is None
    assert admin.get("/t/uno/settings/templates/NOPE/preview").status_code == 405
    assert admin.post("/t/uno/settings/templates/NOPE", {}).status_code == 404


def test_whatsapp_templates_and_channel_inboxes(admin, tenant):
    data = {"APPOINTMENT_REMINDER-name": "recordatorio_cita", "APPOINTMENT_REMINDER-language": "es_MX",
            "APPOINTMENT_REMINDER-params": "clientName, appointmentTime"}
    assert admin.post("/t/uno/settings/whatsapp-templates", data).status_code == 302
    s, _ = rows(tenant)
    assert s.whatsapp_templates == {"APPOINTMENT_REMINDER": {"name": "recordatorio_cita", "language": "es_MX",
                                                             "params": ["clientName", "appointmentTime"]}}
    bad = admin.post("/t/uno/settings/whatsapp-templates", {"MARKETING-name": "Promo Navidad"})
    assert bad.status_code == 422 and "Minúsculas, números y guion bajo" in bad.text
    assert "Indica el idioma" in bad.text and 'value="Promo Navidad"' in bad.text
    saved = admin.post("/t/uno/settings/channel-inboxes", {"whatsapp_inbox_id": "4", "sms_inbox_id": ""})
    assert saved.status_code == 302
    s, _ = rows(tenant)
    assert (s.whatsapp_inbox_id, s.sms_inbox_id, s.email_inbox_id) == ("4", None, None)
    assert (s.whatsapp_enabled, s.sms_enabled, s.email_enabled) == (False, False, False)
    admin.post("/t/uno/settings/channel-inboxes", {"whatsapp_inbox_id": "4", "whatsapp_enabled": "y"})
    s, _ = rows(tenant)
    assert (s.whatsapp_enabled, s.sms_enabled, s.email_enabled) == (True, False, False)
    assert 'name="whatsapp_enabled"' in admin.get("/t/uno/settings/").text
    assert admin.post("/t/uno/settings/channel-inboxes", {"email_inbox_id": "x"}).status_code == 422


def test_widget_snippet_is_text_to_copy(admin, tenant):
    assert "Escribe la URL de Chatwoot y el website token" in admin.get("/t/uno/settings/").text
    admin.post("/t/uno/settings/widget", {"base_url": "https://app.chatwoot.com/", "website_token": "wt_abc123"})
    _, c = rows(tenant)
    assert (c.base_url, c.website_token) == ("https://app.chatwoot.com", "wt_abc123")
    page = admin.get("/t/uno/settings/").text
    snippet = re.search(r'<pre id="widget-snippet"[^>]*>(.*?)</pre>', page, re.S).group(1)
    assert "&lt;script&gt;" in snippet and "<script" not in snippet
    assert r"BASE_URL=&#34;https:\/\/app.chatwoot.com&#34;" in snippet
    assert "websiteToken: &#34;wt_abc123&#34;" in snippet and "/packs/js/sdk.js" in snippet
    assert 'data-copy="widget-snippet"' in page


def test_api_key_is_shown_once_listed_and_revoked(admin, tenant):
    created = admin.post("/t/uno/settings/api-keys", {"name": "CitaPlanner producción"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    plaintext = re.search(r'id="new-api-key" type="text" readonly value="(cpk_[^"]+)"', created.text).group(1)
    key = db.session.scalar(select(ApiKey))
    assert key.prefix == plaintext[:12] and key.key_hash != plaintext
    page = admin.get("/t/uno/settings/").text
    assert plaintext not in page and f"{key.prefix}…" in page and "nunca" in page
    assert admin.post(f"/t/uno/settings/api-keys/{key.id}/revoke").status_code == 302
    db.session.refresh(key)
    assert key.revoked_at is not None and "revocada" in admin.get("/t/uno/settings/").text
    assert admin.post("/t/uno/settings/api-keys", {"name": ""}).status_code == 422


def test_api_keys_are_for_admins_only(staff, tenant):
    assert "claves-api" not in staff.get("/t/uno/settings/").text
    assert staff.post("/t/uno/settings/api-keys", {"name": "x"}).status_code == 404


def test_another_tenants_api_key_cannot_be_revoked(admin, tenant, other_tenant):
    from app.services.settings.api_keys import create_api_key

    theirs, _ = create_api_key(other_tenant, "suya")
    db.session.commit()
    assert admin.post(f"/t/uno/settings/api-keys/{theirs.id}/revoke").status_code == 404


def test_recent_changes_say_who_and_what(admin, admin_user, tenant):
    admin.post("/t/uno/settings/toggles", {"chatwoot_enabled": "y"})
    page = admin.get("/t/uno/settings/").text
    section = page[page.index('id="cambios"'):]
    assert admin_user.email in section and "settings.toggles" in section and "chatwoot_enabled" in section


SETTINGS_POSTS = ["credentials", "check", "widget", "webhook-secret", "webhook-token/rotate", "toggles",
                  "reminders", "templates/TEST", "templates/TEST/preview", "whatsapp-templates", "channel-inboxes",
                  "api-keys"]


def test_access_matrix(app, admin, staff, tenant, other_tenant):
    assert admin.get("/t/dos/settings/").status_code == 200
    assert staff.get("/t/uno/settings/").status_code == 200
    assert staff.get("/t/dos/settings/").status_code == 404
    for path in SETTINGS_POSTS:
        assert staff.post(f"/t/dos/settings/{path}", {}).status_code == 404, path
    anonymous = app.test_client()
    response = anonymous.get("/t/uno/settings/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_forms_without_csrf_are_rejected(admin, tenant):
    response = admin.http.post("/t/uno/settings/toggles", data={"chatwoot_enabled": "y"})
    assert response.status_code == 400
    assert rows(tenant)[0].chatwoot_enabled is False


def test_token_and_secret_never_appear_in_any_html(admin, tenant, chatwoot):
    """Recognisable values in every place a token or secret can live, then every page and partial is grepped."""
    db.session.execute(text("UPDATE chatwoot_configs SET api_access_token = :tok, webhook_secret = :sec, "
                            "base_url = :url, account_id = '1' WHERE tenant_id = :t"),
                       {"tok": TOKEN + "-B", "sec": SECRET + "-SQL", "url": chatwoot.url, "t": tenant.id})
    db.session.commit()
    admin.post("/t/uno/settings/credentials", credentials(url=chatwoot.url, account="1", inbox="1", token=TOKEN))
    admin.post("/t/uno/settings/webhook-secret", {"secret": SECRET})
    admin.post("/t/uno/test-message/send", {"phone": "55 4444 3333", "message": "hola"})
    admin.post("/t/uno/sync/start")
    run_id = db.session.scalar(text("SELECT id FROM sync_runs"))
    pages = [admin.get(url) for url in (
        "/", "/t/uno/", "/t/uno/settings/", "/t/uno/sync/", f"/t/uno/sync/{run_id}/progress",
        "/t/uno/test-message/", "/t/uno/test-message/clients?q=ana", "/admin/", "/admin/audit")]
    pages.append(admin.get(f"/t/uno/sync/{run_id}/progress", headers=HX))
    pages += [admin.post("/t/uno/settings/check", headers=HX), admin.post("/t/uno/settings/check")]
    invalid = {"credentials": credentials(url="nope", token="has space"), "webhook-secret": {"secret": "x"},
               "widget": {"base_url": "nope"}, "toggles": {}, "reminders": {"offsets": "x"},
               "templates/TEST": {"tpl-TEST-body": "{{x}}" * 500}, "templates/TEST/preview": {"tpl-TEST-body": "a"},
               "whatsapp-templates": {"TEST-name": "X"}, "channel-inboxes": {"sms_inbox_id": "x"},
               "api-keys": {"name": ""}}
    pages += [admin.post(f"/t/uno/settings/{path}", data) for path, data in invalid.items()]
    pages += [admin.post("/t/uno/test-message/preview", {"message": "hola"}),
              admin.post("/t/uno/test-message/send", {"phone": "1"})]
    assert all(p.status_code in (200, 302, 422) for p in pages)
    assert len([p for p in pages if p.status_code == 422]) >= 8
    for page in pages:
        for secret in (TOKEN, SECRET):
            assert secret not in page.text, page.request.path


def test_saving_the_default_text_keeps_the_default(admin, tenant):
    from app.services.notifications.templates import default_body

    body = default_body("APPOINTMENT_CONFIRMATION")
    admin.post("/t/uno/settings/templates/APPOINTMENT_CONFIRMATION", {"tpl-APPOINTMENT_CONFIRMATION-body": body})
    assert db.session.scalar(select(NotificationTemplate)) is None
    assert "personalizado" not in admin.get("/t/uno/settings/").text


def test_a_tenant_inserted_by_sql_gets_its_settings_rows(admin):
    db.session.execute(text("INSERT INTO tenants (id, name, slug, timezone, phone_region, created_at, updated_at) "
                            "VALUES ('t-sql', 'Por SQL', 'por-sql', 'America/Mexico_City', 'MX', "
                            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    db.session.commit()
    first = admin.get("/t/por-sql/settings/").text
    token = db.session.scalar(select(ChatwootConfig.webhook_token).where(ChatwootConfig.tenant_id == "t-sql"))
    assert token and f"/api/webhooks/chatwoot/{token}" in first and token in admin.get("/t/por-sql/settings/").text


def test_the_reminders_section_says_when_quiet_hours_follow_the_opening_hours(admin, tenant):
    assert 'id="quiet-follows-schedule"' not in admin.get("/t/uno/settings/").text
    automation_settings(tenant.id).schedule = {"0": [["10:00", "19:00"]]}
    db.session.commit()
    page = admin.get("/t/uno/settings/").text
    assert 'id="quiet-follows-schedule"' in page and "esperan a que abra" in page
