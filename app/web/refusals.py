"""Spanish words for a unit of work that did not commit: a refused operation, or a busy database."""

from __future__ import annotations

from flask import flash, render_template
from flask_babel import gettext as _

from app.transactions import DatabaseBusy


def is_busy(error: Exception | None) -> bool:
    return isinstance(error, DatabaseBusy)


def refusal(error: Exception, message: str = "") -> str:
    """The route's own message for a refusal; for a busy database, that nothing was saved and to retry."""
    if is_busy(error):
        return _("La base de datos está ocupada por otra operación y no se guardó nada. "
                 "Intenta de nuevo en unos segundos.")
    return message


def refusal_status(error: Exception, refused: int = 422) -> int:
    """503 (retry later) for a busy database, `refused` (422 unless given) for a refused operation."""
    return 503 if is_busy(error) else refused


def flash_refusal(error: Exception, message: str = "") -> None:
    flash(refusal(error, message), "error")


def busy_page():
    """A whole page saying the database is busy (503), for a request with no form to show again."""
    return render_template("errors/error.html", code=503, title=_("Base de datos ocupada"),
                           message=refusal(DatabaseBusy("busy"))), 503
