"""Each figure of INTERFACES §10 on the hand-built history of history.py, live and from the roll-ups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from app.extensions import db
from app.jobs.analytics import roll_up_analytics
from app.models import AnalyticsDay, ChatwootInteraction, Client
from app.services.analytics.figures import compute_day
from app.services.analytics.report import build_report, percentile
from app.services.analytics.rollup import forget_days_touched_by
from tests.analytics.history import NOW, build, local


@pytest.fixture
def history(app, tenant):
    build(tenant)
    return tenant


def by_day(report) -> dict:
    return {day.day: day for day in report.days}


def test_percentiles_are_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([300, 2400], 0.5) == 300 and percentile([300, 2400], 0.9) == 2400
    assert percentile(list(range(1, 11)), 0.9) == 9 and percentile([7], 0.9) == 7


def test_the_18th_counts_the_late_night_message_and_only_replies_by_a_person(history):
    figures = compute_day(history.id, history.timezone, date(2026, 11, 18))
    assert (figures.messages_in, figures.messages_out) == (3, 2)
    assert figures.response_seconds == [300, 2400]  # the bot's 30 s answer is not a reply
    assert figures.conversations_unanswered == 0
    assert (figures.new_customers, figures.booked_within_7d, figures.booked_new_clients) == (1, 1, 1)


def test_the_19th_has_an_unanswered_conversation_and_no_conversion_from_an_import(history):
    figures = compute_day(history.id, history.timezone, date(2026, 11, 19))
    assert (figures.messages_in, figures.messages_out) == (1, 3)  # the 00:10 reply, the automation, the notice
    assert figures.response_seconds == [] and figures.conversations_unanswered == 1
    assert (figures.new_customers, figures.booked_within_7d) == (1, 0)


def test_the_period_report_adds_reminders_no_shows_and_notifications(history):
    with time_machine.travel(NOW, tick=False):
        report = build_report(history, 7, NOW)
    days = by_day(report)
    assert report.days[0].day == date(2026, 11, 14) and len(report.days) == 7
    assert (report.median, report.p90) == (300, 2400)
    assert (days[date(2026, 11, 18)].median, days[date(2026, 11, 19)].median) == (300, None)
    sixteenth = days[date(2026, 11, 16)]
    assert (sixteenth.reminders_sent, sixteenth.reminders_delivered, sixteenth.reminders_read) == (3, 2, 1)
    assert (days[date(2026, 11, 17)].no_shows_with_reminder, sixteenth.no_shows_without_reminder) == (1, 1)
    no_shows = report.no_shows
    assert (no_shows.with_reminder, no_shows.with_reminder_no_show) == (2, 1)
    assert (no_shows.without_reminder, no_shows.without_reminder_no_show) == (2, 1)  # the cancelled one aside
    assert report.by_type["APPOINTMENT_REMINDER"] == {"delivered": 1, "read": 1, "sent": 1}
    assert report.total("messages_in") == 4 and report.total("new_customers") == 2


def test_roll_ups_give_the_same_figures_and_a_late_message_reopens_its_day(history):
    with time_machine.travel(NOW, tick=False):
        live = build_report(history, 7, NOW)
        roll_up_analytics()
        assert db.session.query(AnalyticsDay).count() == 41, "a sweep stays short: today and the latest 40 days"
        for _ in range(3):
            roll_up_analytics()
        assert db.session.query(AnalyticsDay).count() == 91  # today and every finished day of the longest period
        stored = build_report(history, 7, NOW)
        assert [d.figures for d in stored.days] == [d.figures for d in live.days]
        late = ChatwootInteraction(tenant_id=history.id, event="message_created", direction="outgoing",
                                   conversation_id="c3", chatwoot_contact_id="k3", created_at=local(20, 9),
                                   sender_kind="person")
        db.session.add(late)
        forget_days_touched_by(late, history.timezone)  # what the webhook processing does as it logs
        db.session.commit()
        assert db.session.get(AnalyticsDay, (history.id, date(2026, 11, 19))) is None
        nineteenth = by_day(build_report(history, 7, NOW))[date(2026, 11, 19)]
    assert nineteenth.figures.conversations_unanswered == 0
    assert nineteenth.figures.response_seconds == [23 * 3600]  # 10:00 on the 19th to 09:00 on the 20th


def test_linking_or_unlinking_a_contact_reopens_the_day_the_customer_first_wrote(history):
    """Bea (k2) first wrote on the 18th and booked the next day: the 18th's conversion follows her link."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            roll_up_analytics()
        eighteenth = date(2026, 11, 18)
        assert by_day(build_report(history, 7, NOW))[eighteenth].figures.booked_within_7d == 1
        bea = db.session.get(Client, "bea")
        bea.chatwoot_contact_id = None
        db.session.commit()
        assert db.session.get(AnalyticsDay, (history.id, eighteenth)) is None
        assert by_day(build_report(history, 7, NOW))[eighteenth].figures.booked_within_7d == 0
        roll_up_analytics()
        assert db.session.get(AnalyticsDay, (history.id, eighteenth)) is not None
        bea.chatwoot_contact_id = "k2"  # linked again, weeks after she wrote: the stored day is reopened
        db.session.commit()
        assert db.session.get(AnalyticsDay, (history.id, eighteenth)) is None
        assert by_day(build_report(history, 7, NOW))[eighteenth].figures.booked_within_7d == 1


def test_a_tenant_sees_only_its_own_figures(history, other_tenant):
    with time_machine.travel(NOW, tick=False):
        report = build_report(other_tenant, 7, NOW)
    assert report.total("messages_in") == 0 and report.by_type == {} and report.no_shows.with_reminder == 0


def test_todays_stored_figures_are_used_only_while_fresh(history):
    with time_machine.travel(NOW, tick=False) as clock:
        roll_up_analytics()
        db.session.add(ChatwootInteraction(tenant_id=history.id, event="message_created", direction="incoming",
                                           conversation_id="c7", chatwoot_contact_id="k7", created_at=NOW))
        db.session.commit()
        assert by_day(build_report(history, 7, NOW))[date(2026, 11, 20)].figures.messages_in == 0
        clock.shift(31)
        later = build_report(history, 7, NOW + timedelta(seconds=31))
        assert by_day(later)[date(2026, 11, 20)].figures.messages_in == 1, "a minute later it is counted"
