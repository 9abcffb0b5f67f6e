"""Every sentence a person reads exists in English too: the catalog covers every msgid in the code."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent
METHODS = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


def _msgids() -> dict[str, str]:
    found = {}
    extracted = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS, options_map=OPTIONS)
    for filename, _lineno, message, _comments, _context in extracted:
        msgid = message[0] if isinstance(message, tuple) else message  # a plural is filed under its singular
        if msgid:
            found.setdefault(msgid, filename)
    return found


def test_every_spanish_message_has_an_english_translation():
    with (ROOT / "app/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    missing = {msgid: where for msgid, where in _msgids().items()
               if not (catalog.get(msgid) and catalog.get(msgid).string)}
    assert not missing, "add these to app/translations/en/LC_MESSAGES/messages.po:\n" + "\n".join(
        f"{where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda item: item[1]))
