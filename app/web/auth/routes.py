"""Log in, log out, switch language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.i18n import LANGUAGES
from app.services.accounts.auth import end_sessions, finish_login, save_locale, start_login
from app.transactions import unit_of_work
from app.web.auth.forms import LoginForm
from app.web.refusals import flash_refusal

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    with unit_of_work() as work:  # the attempt counts for concurrent ones before its password is checked
        attempt = start_login(form.email.data, request.remote_addr)
    if not work.error:
        with unit_of_work() as work:
            result = finish_login(attempt, form.password.data)
    if work.error:
        flash_refusal(work.error)
        return render_template("auth/login.html", form=form), 503
    if result.user:
        session.clear()
        login_user(result.user)
        return redirect(_safe_next(request.args.get("next")))
    if result.throttled:
        flash(_("Demasiados intentos fallidos. Espera 15 minutos e intenta de nuevo."), "error")
        return render_template("auth/login.html", form=form), 429
    flash(_("Correo o contraseña incorrectos."), "error")
    return render_template("auth/login.html", form=form), 401


@bp.post("/logout")
@login_required
def logout():
    with unit_of_work() as work:
        end_sessions(current_user)
    logout_user()
    session.clear()
    if work.error:  # this browser is logged out all the same; the other sessions end at the next logout
        flash_refusal(work.error)
    else:
        flash(_("Cerraste sesión."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language():
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            with unit_of_work() as work:
                save_locale(current_user, lang)
            if work.error:  # the session already carries the choice; only the saved preference waits
                flash_refusal(work.error)
    return redirect(_safe_next(request.form.get("next")))
