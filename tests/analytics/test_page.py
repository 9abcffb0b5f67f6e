"""/t/<tenant>/analytics and its CSV on the hand-built history: the same numbers, the salon's days, no BOM."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine

from app.services.analytics.report import CSV_HEADER
from tests.analytics.history import NOW, build
from tests.conftest import Browser


@pytest.fixture
def history(app, tenant):
    build(tenant)
    return tenant


@pytest.fixture
def staff(app, staff_user):
    """Staff of "uno", logged in on the history's Friday (the session is as old as the clock says)."""
    with time_machine.travel(NOW, tick=True):
        browser = Browser(app)
        browser.login(staff_user.email)
        yield browser


def test_the_csv_has_one_row_per_salon_day_with_the_contract_header(staff, history):
    with time_machine.travel(NOW, tick=True):
        response = staff.get("/t/uno/analytics.csv?days=7")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert not response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert [r["date"] for r in rows] == [f"2026-11-{day}" for day in range(14, 21)]
    eighteenth, nineteenth = rows[4], rows[5]
    assert eighteenth == {"date": "2026-11-18", "messages_in": "3", "messages_out": "2",
                          "first_response_median_s": "300", "first_response_p90_s": "2400",
                          "conversations_unanswered": "0", "new_customers": "1", "booked_within_7d": "1",
                          "reminders_delivered": "0", "reminders_read": "0", "no_shows_with_reminder": "0",
                          "no_shows_without_reminder": "0"}
    assert nineteenth["first_response_median_s"] == "" and nineteenth["conversations_unanswered"] == "1"
    assert (rows[2]["reminders_delivered"], rows[2]["reminders_read"], rows[2]["no_shows_without_reminder"]) == (
        "2", "1", "1")


def test_the_page_shows_the_same_figures_with_charts_and_tables(staff, history):
    with time_machine.travel(NOW, tick=True):
        page = staff.get("/t/uno/analytics?days=7").text
        exported = staff.get("/t/uno/analytics.csv?days=7").data.decode("utf-8")
    assert "Analítica" in page and 'aria-current="page"' in page
    assert page.count('role="img"') == 2 and page.count("<title id=") == 2 and "<desc id=" in page
    table = re.search(r'<table class="table" id="analytics-days">(.*?)</table>', page, re.S).group(1)
    cells = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    body = {row[0]: row[1:] for row in cells[1:]}
    assert body["18 nov 2026"][:5] == ["3", "2", "5.0 min", "40.0 min", "0"]
    for row in csv.DictReader(io.StringIO(exported)):  # every day of the CSV is a row of the page
        day = next(v for k, v in body.items() if k.startswith(str(int(row["date"][-2:])) + " "))
        assert day[0] == row["messages_in"] and day[1] == row["messages_out"]
        assert day[4] == row["conversations_unanswered"] and day[5] == row["new_customers"]
    assert "Con recordatorio entregado" in page and "50.0 %" in page
    assert "Recordatorio de cita" in page


def test_other_salons_and_odd_periods(staff, history, other_tenant):
    assert staff.get("/t/dos/analytics").status_code == 404
    assert staff.get("/t/dos/analytics.csv").status_code == 404
    with time_machine.travel(NOW, tick=True):
        odd = staff.get("/t/uno/analytics.csv?days=365").data.decode("utf-8")
    assert len(odd.strip().splitlines()) == 1 + 30  # unknown periods fall back to 30 days


def test_the_overview_carries_the_weeks_headline(staff, history):
    with time_machine.travel(NOW, tick=True):
        page = staff.get("/t/uno/").text
    week = re.search(r'<section class="card" aria-labelledby="card-week" id="overview-week">(.*?)</section>', page,
                     re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", week).split())
    assert "4 mensajes recibidos · 5 enviados" in text
    assert "Primera respuesta (mediana): 5.0 min" in text and "Clientas nuevas que agendaron: 1 / 2" in text
    assert 'href="/t/uno/analytics?days=7"' in week
