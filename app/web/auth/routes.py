"""Log in, log out, switch language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import db
from app.i18n import LANGUAGES
from app.services.accounts.auth import end_sessions, finish_login, start_login
from app.web.auth.forms import LoginForm

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
    status = 200
    if form.validate_on_submit():
        attempt = start_login(form.email.data, request.remote_addr)
        db.session.commit()  # the attempt counts for concurrent ones before its password is checked
        result = finish_login(attempt, form.password.data)
        db.session.commit()
        if result.user:
            session.clear()
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.throttled:
            flash(_("Demasiados intentos fallidos. Espera 15 minutos e intenta de nuevo."), "error")
            status = 429
        else:
            flash(_("Correo o contraseña incorrectos."), "error")
            status = 401
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Cerraste sesión."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language():
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
