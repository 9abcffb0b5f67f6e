"""First run (what `make run` does): migrations, demo salon, an admin whose printed password logs in."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Client, NotificationSettings, Tenant
from tests.conftest import Browser, dispose_engines, make_app


def test_first_run_creates_a_demo_salon_and_an_admin_who_can_log_in(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        email = re.search(r"Email:\s+(\S+)", result.output).group(1)
        password = re.search(r"Password:\s+(\S+)", result.output).group(1)
        assert len(password) >= 12
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))
        assert "simulador" in tenant.name
        settings = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
        assert settings.chatwoot_enabled and settings.chatwoot_api_url.startswith("http://127.0.0.1")
        assert db.session.scalar(select(func.count()).select_from(Client)) == 5

        browser = Browser(app)
        assert browser.login(email, password).status_code == 302
        overview = browser.get("/", follow_redirects=True)
        assert "Resumen" in overview.text and tenant.name in overview.text

        again = app.test_cli_runner().invoke(args=["setup"])
        assert again.exit_code == 0 and "Password" not in again.output  # idempotent, never a second password
        db.session.remove()
        dispose_engines()
