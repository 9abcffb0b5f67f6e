"""Attack: a script in the widget snippet the salon pastes into its website.

`</script>` in the widget base URL (or website token) used to be emitted as is. Values are now escaped
for a script inside HTML, and the base URL must be an http(s) address.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ChatwootConfig
from app.services.settings.widget import widget_snippet

BREAKOUT = "</script><script>alert(document.cookie)</script>"


def literals(snippet: str) -> tuple[str, str]:
    base = re.search(r'var BASE_URL=("(?:[^"\\]|\\.)*");', snippet).group(1)
    token = re.search(r'websiteToken: ("(?:[^"\\]|\\.)*"),', snippet).group(1)
    return json.loads(base), json.loads(token)  # JSON literals are JavaScript literals


def only_the_loader_script(snippet: str) -> None:
    assert snippet.count("<script") == 1 and snippet.count("</script") == 1
    assert "<" not in snippet[len("<script>"):-len("</script>")] and "&" not in snippet


@pytest.mark.parametrize("url", [f"https://chat.example.com/{BREAKOUT}", f"https://chat.example.com{BREAKOUT}",
                                 "javascript:alert(1)", "https://chat.example.com/\"+alert(1)+\""])
def test_a_base_url_that_is_not_a_plain_http_address_is_refused(admin, tenant, url):
    response = admin.post("/t/uno/settings/widget", {"base_url": url, "website_token": "wt_abc123"})
    assert response.status_code == 422 and "Escribe la dirección completa" in response.text
    config = db.session.scalar(select(ChatwootConfig).where(ChatwootConfig.tenant_id == tenant.id))
    db.session.refresh(config)
    assert config.base_url is None


def test_the_website_token_cannot_break_out_of_the_script(admin, tenant):
    response = admin.post("/t/uno/settings/widget", {"base_url": "https://chat.example.com/chat",
                                                     "website_token": BREAKOUT.replace(" ", "")})
    assert response.status_code == 302
    page = admin.get("/t/uno/settings/").text
    shown = re.search(r'<pre id="widget-snippet"[^>]*>(.*?)</pre>', page, re.S).group(1)
    assert "<script" not in shown and "&lt;/script&gt;&lt;script&gt;" not in shown
    snippet = widget_snippet("https://chat.example.com/chat", BREAKOUT)
    only_the_loader_script(snippet)
    assert literals(snippet) == ("https://chat.example.com/chat", BREAKOUT)


def test_the_snippet_escapes_every_character_that_matters_in_a_script(app):
    token = "a<b>c&d/e\u2028f\"g'h\\i"
    snippet = widget_snippet("https://chat.example.com", token)
    only_the_loader_script(snippet)
    assert "\\u003c" in snippet and "\\u003e" in snippet and "\\u0026" in snippet and "\\/" in snippet
    assert "\u2028" not in snippet
    assert literals(snippet) == ("https://chat.example.com", token)


def test_a_bad_base_url_from_the_environment_gives_no_snippet(app, admin, tenant):
    app.config.update(CHATWOOT_BASE_URL="javascript:alert(1)//", CHATWOOT_WEBSITE_TOKEN="wt_env")
    page = admin.get("/t/uno/settings/").text
    assert 'id="widget-snippet"' not in page and "packs/js/sdk.js" not in page
