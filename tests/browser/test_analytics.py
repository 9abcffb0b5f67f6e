"""The analytics page in Chromium with the hand-built history: charts with titles, axes and a table, a screenshot."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Tenant
from tests.analytics.history import build

pytestmark = pytest.mark.browser


def test_the_analytics_page_draws_its_charts_with_their_numbers(page: Page, live, tmp_path):
    with live.app.app_context():
        build(db.session.scalar(select(Tenant).where(Tenant.slug == "uno")))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live.url + "/login")
    page.get_by_label("Correo electrónico").fill(live.admin_email)
    page.get_by_label("Contraseña").fill(live.password)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Analítica").click()
    page.get_by_role("link", name="Últimos 90 días").click()
    expect(page.get_by_role("heading", name="Analítica", exact=True)).to_be_visible()
    charts = page.get_by_role("img")
    expect(charts).to_have_count(2)
    for name in ("Mensajes por día", "Tiempo de primera respuesta por día"):
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        assert chart.locator(".axis line").count() == 2, "an x and a y axis"
        assert chart.locator(".tick-y").count() == 5 and chart.locator(".tick-x").count() >= 2
        assert chart.locator("rect").count() >= 1
    bars = page.get_by_role("img", name="Mensajes por día").locator("rect")
    assert bars.count() == 5  # in on the 10th; in and out on the 18th and 19th
    expect(page.locator("#analytics-days")).to_contain_text("18 nov 2026")
    expect(page.locator("#analytics-noshows")).to_contain_text("50.0 %")
    page.screenshot(path=str(tmp_path / "analytics.png"), full_page=True)
    assert (tmp_path / "analytics.png").stat().st_size > 10_000
    assert errors == []
