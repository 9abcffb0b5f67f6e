"""The interaction log page: tenant scoping, filters, keyset pages, the client timeline, htmx partials."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import ChatwootInteraction, Client, NotificationSettings

T0 = datetime(2025, 6, 10, 18, 0, tzinfo=UTC)  # 12:00 in Mexico City


def add_client(tenant, first="Ana", last="García", phone="5512345678", **kw):
    client = Client(tenant_id=tenant.id, first_name=first, last_name=last, phone=phone, **kw)
    db.session.add(client)
    db.session.flush()
    return client


def log(tenant, n=1, at=T0, step=timedelta(minutes=1), **fields):
    rows = []
    for i in range(n):
        values = {"event": "message_created", "direction": "incoming", "content_preview": f"mensaje {i}", **fields}
        rows.append(ChatwootInteraction(tenant_id=tenant.id, created_at=at + i * step, **values))
    db.session.add_all(rows)
    db.session.commit()
    return rows


def previews(html):
    return re.findall(r'<td class="preview">([^<]*)</td>', html)


@pytest.fixture
def logged(tenant):
    client = add_client(tenant)
    log(tenant, 1, content_preview="de Ana", client_id=client.id, conversation_id="41")
    log(tenant, 1, at=T0 + timedelta(minutes=5), content_preview="de nadie", direction="outgoing",
        event="test_message")
    return client


def test_admin_sees_the_log_newest_first_with_client_and_conversation(tenant, admin, logged):
    settings = db.session.query(NotificationSettings).filter_by(tenant_id=tenant.id).one()
    settings.chatwoot_api_url, settings.chatwoot_account_id = "https://chat.example.com/", "7"
    db.session.commit()
    page = admin.get("/t/uno/interactions/")
    assert page.status_code == 200
    assert previews(page.text) == ["de nadie", "de Ana"]
    assert "Ana García" in page.text and f"/t/uno/interactions/client/{logged.id}" in page.text
    assert 'href="https://chat.example.com/app/accounts/7/conversations/41"' in page.text
    assert "Entrante" in page.text and "Saliente" in page.text


def test_content_previews_are_escaped(tenant, admin):
    log(tenant, 1, content_preview='<script>alert("x")</script><b>hola</b>')
    page = admin.get("/t/uno/interactions/")
    assert "<script>alert" not in page.text and "<b>hola" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;hola&lt;/b&gt;" in page.text


def test_empty_log_explains_where_interactions_come_from(tenant, admin):
    page = admin.get("/t/uno/interactions/")
    assert "Aún no hay interacciones" in page.text and "/t/uno/webhooks/" in page.text


@pytest.mark.parametrize(("query", "expected"), [
    ("direction=outgoing", ["de nadie"]),
    ("direction=incoming", ["de Ana"]),
    ("event=test_message", ["de nadie"]),
    ("event=message_created", ["de Ana"]),
    ("matched=yes", ["de Ana"]),
    ("matched=no", ["de nadie"]),
    ("direction=outgoing&matched=yes", []),
])
def test_filters(tenant, admin, logged, query, expected):
    page = admin.get(f"/t/uno/interactions/?{query}")
    assert page.status_code == 200
    assert previews(page.text) == expected


def test_client_filter_and_timeline_show_only_that_client(tenant, admin, logged):
    other = add_client(tenant, "Luis", "Garza", "3387654321")
    log(tenant, 1, at=T0 + timedelta(minutes=9), content_preview="de Luis", client_id=other.id)
    assert previews(admin.get(f"/t/uno/interactions/?client={logged.id}").text) == ["de Ana"]
    timeline = admin.get(f"/t/uno/interactions/client/{logged.id}")
    assert timeline.status_code == 200
    assert "Historial de Ana García" in timeline.text
    assert previews(timeline.text) == ["de Ana"]


def test_date_range_is_in_the_tenants_time_zone(tenant, admin):
    # 2025-06-10 23:30 and 2025-06-11 00:30 in Mexico City (UTC-6): both on June 11 in UTC.
    log(tenant, 1, at=datetime(2025, 6, 11, 5, 30, tzinfo=UTC), content_preview="noche del 10")
    log(tenant, 1, at=datetime(2025, 6, 11, 6, 30, tzinfo=UTC), content_preview="madrugada del 11")
    assert previews(admin.get("/t/uno/interactions/?since=2025-06-10&until=2025-06-10").text) == ["noche del 10"]
    assert previews(admin.get("/t/uno/interactions/?since=2025-06-11").text) == ["madrugada del 11"]
    assert previews(admin.get("/t/uno/interactions/?until=2025-06-09").text) == []


def test_invalid_dates_are_field_errors_and_keep_the_input(tenant, admin, logged):
    page = admin.get("/t/uno/interactions/?since=2025-06-12&until=2025-06-01&event=test_message")
    assert page.status_code == 422
    assert "La fecha final es anterior a la inicial." in page.text
    assert 'value="test_message"' in page.text and 'value="2025-06-12"' in page.text
    assert admin.get("/t/uno/interactions/?since=mañana").status_code == 422


def test_pages_follow_the_cursor_to_the_end(tenant, admin):
    log(tenant, 120, content_preview=None)
    seen, url = [], "/t/uno/interactions/"
    while url:
        page = admin.get(url)
        assert page.status_code == 200
        stamps = re.findall(r'<td class="nowrap">([^<]+)</td>', page.text)
        seen.append(len(stamps))
        match = re.search(r'href="([^"]+)" rel="next"', page.text)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert seen == [50, 50, 20]


def test_pages_keep_the_filters(tenant, admin):
    log(tenant, 60, direction="outgoing")
    log(tenant, 60, at=T0 + timedelta(seconds=30), direction="incoming")
    first = admin.get("/t/uno/interactions/?direction=outgoing")
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "direction=outgoing" in next_url and "before=" in next_url
    second = admin.get(next_url)
    assert len(previews(second.text)) == 10
    assert "Entrante" not in second.text.split('id="interaction-list"')[1]


def test_htmx_gets_the_list_partial_only(tenant, admin, logged):
    page = admin.get("/t/uno/interactions/?direction=incoming", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text and page.text.lstrip().startswith('<section id="interaction-list"')
    assert previews(page.text) == ["de Ana"]


def test_another_tenants_log_and_clients_are_404_for_staff(tenant, other_tenant, staff):
    theirs = add_client(other_tenant, "Eva", "Ríos", "5599990000")
    db.session.commit()
    assert staff.get("/t/dos/interactions/").status_code == 404
    assert staff.get(f"/t/uno/interactions/client/{theirs.id}").status_code == 404
    assert staff.get(f"/t/uno/interactions/?client={theirs.id}").status_code == 404
    assert staff.get("/t/uno/interactions/").status_code == 200


def test_other_tenants_rows_never_show(tenant, other_tenant, admin):
    log(other_tenant, 1, content_preview="ajeno")
    log(tenant, 1, content_preview="propio")
    assert previews(admin.get("/t/uno/interactions/").text) == ["propio"]


def test_logged_out_is_sent_to_login(app, tenant):
    for url in ("/t/uno/interactions/", "/t/uno/interactions/client/x"):
        response = app.test_client().get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_htmx_history_restore_gets_the_full_page(tenant, admin, logged):
    page = admin.get("/t/uno/interactions/?direction=incoming",
                     headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in page.text and previews(page.text) == ["de Ana"]


def test_events_statuses_and_changes_read_in_spanish_and_english(tenant, admin, logged):
    log(tenant, 1, at=T0 + timedelta(minutes=7), event="conversation_updated", direction="system",
        content_preview="status: open → resolved; assignee_id: 5", status="resolved")
    page = admin.get("/t/uno/interactions/").text
    assert "Conversación actualizada" in page and "Mensaje de prueba" in page
    assert "estado: abierta → resuelta; agente asignado: 5" in page
    assert "conversation_updated" not in page.split('name="event"')[0]  # no raw event name in the list
    admin.post("/language", data={"lang": "en", "next": "/t/uno/"})
    english = admin.get("/t/uno/interactions/").text
    assert "Conversation updated" in english and "status: open → resolved; assignee: 5" in english


def test_dates_are_typed_day_first_not_in_the_browsers_format(tenant, admin):
    log(tenant, 1, at=datetime(2025, 6, 11, 5, 30, tzinfo=UTC), content_preview="noche del 10")
    page = admin.get("/t/uno/interactions/?since=10/06/2025&until=10/06/2025")
    assert previews(page.text) == ["noche del 10"]
    assert 'type="date"' not in page.text and 'placeholder="dd/mm/aaaa"' in page.text
