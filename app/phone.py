"""Phone normalisation: one canonical E.164 key per person, plus the forms Chatwoot may hold for them.

Mexican numbers are rewritten here before phonenumbers sees them: from 8.13.38 on it no longer drops the
old mobile "1" (+521…) nor the 044/045/01 prefixes, so relying on it would make the key depend on the
library version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import phonenumbers
from flask import current_app, has_app_context
from phonenumbers import NumberParseException, PhoneNumber, ValidationResult

PREFIX = "not a phone number: "
FALLBACK_REGION = "MX"  # DEFAULT_PHONE_REGION's own default
MX_CC, BR_CC, AR_CC = "52", "55", "54"
# Abolished in 2019 but still typed: mobile "1" (also WhatsApp's 521 ids), 044/045 mobile, 01 long distance.
MX_OLD_PREFIXES = ("044", "045", "01", "1")
MIN_DIGITS, MAX_DIGITS = 7, 18  # 18 leaves room for an exit code plus an old Mexican prefix

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.()/]")
# "55 8642 9753 ext. 12", "212-555-0183 x204": the extension is set aside, it cannot receive messages.
_EXTENSION = re.compile(
    r"^(?P<number>[\d\s+\-\u2010-\u2015.()/]*\d)[\s\-.()/]*(?:ext(?:ension|ensión)?\.?|x|#)\s*(?P<ext>\d+)\s*$",
    re.IGNORECASE)
# "cel. 55 2222 3333", "Tel: +52…", Twilio's "whatsapp:+521…": words before the number are a label, not part of it.
_LABEL = re.compile(r"^(?:[^\W\d_]+\.?\s*:?\s*)+(?=[+(\d])")
_KEY = re.compile(r"^\+[1-9]\d{7,14}$")
_LIBRARY_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "it does not look like a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_POSSIBILITY_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    ValidationResult.TOO_SHORT: "too short for {region}",
    ValidationResult.TOO_LONG: "too long for {region}",
    ValidationResult.INVALID_LENGTH: "wrong number of digits for {region}",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "the area code is missing",
}


class PhoneError(ValueError):
    """Raised by parse_phone for input that is not a phone number; str(e) is a clear English reason."""

    def __init__(self, reason: str):
        super().__init__(PREFIX + reason)


@dataclass(frozen=True)
class Phone:
    """A person's phone: the canonical E.164 key, the ISO region it belongs to, any extension set aside."""

    key: str
    region: str
    extension: str | None = None

    def search_digits(self) -> str:
        """Digits for Chatwoot's substring contact search that also hit the other stored forms."""
        digits = self.key[1:]
        if digits.startswith(MX_CC) or digits.startswith(AR_CC):
            return digits[-10:]
        if digits.startswith(BR_CC):
            return digits[-8:]
        return phonenumbers.national_significant_number(phonenumbers.parse(self.key))

    def chatwoot_variants(self) -> tuple[str, ...]:
        """E.164 strings Chatwoot may hold for this same person, canonical key first."""
        if self.key.startswith("+" + MX_CC):
            return self.key, f"+{MX_CC}1{self.key[3:]}"
        if self.key.startswith("+" + BR_CC) and _is_br_mobile(self.key[3:]):
            return self.key, f"+{BR_CC}{self.key[3:5]}{self.key[6:]}"
        # Argentina: "+54" without the 9 may be a different (landline) subscriber, so never offer it.
        return (self.key,)


def configured_region() -> str:
    """The region for numbers without a country code when the tenant names none: DEFAULT_PHONE_REGION."""
    configured = current_app.config.get("DEFAULT_PHONE_REGION") if has_app_context() else None
    return (configured or FALLBACK_REGION).strip().upper()


def parse_phone(raw: str | None, default_region: str | None = None) -> Phone:
    """Parse any way of writing a phone number into its canonical Phone; raises PhoneError.

    `default_region` (the tenant's phone_region) applies to numbers without a country code; when it is
    empty, DEFAULT_PHONE_REGION does."""
    region = (default_region or configured_region()).strip().upper()
    text, extension = _split_extension(_text(raw))
    international, digits = _clean(text)
    if not international and region not in phonenumbers.SUPPORTED_REGIONS:
        raise PhoneError(f"it has no country code and {region!r} is not a known region to assume")
    return replace(_number(international, digits, region), extension=extension)


def _number(international: bool, digits: str, region: str) -> Phone:
    if _is_mexican(international, digits, region):
        return _finish(MX_CC, _mx_national(digits, international))
    number = _library_parse(("+" if international else "") + digits, region)
    country_code = str(number.country_code)
    nsn = phonenumbers.national_significant_number(number)
    if country_code == MX_CC:  # reached through another region's exit code, e.g. "011 52 1 55…" in the US
        return _finish(MX_CC, _mx_strip_old_prefix(nsn))
    if country_code == BR_CC:
        nsn = _br_with_nine(nsn)
    return _finish(country_code, nsn)


def canonical_phone(raw: str | None, default_region: str | None = None) -> str | None:
    """The canonical E.164 key, or None when the input is not a phone number; never raises."""
    try:
        return parse_phone(raw, default_region).key
    except PhoneError:
        return None


def phone_error(raw: str | None, default_region: str | None = None) -> str | None:
    """None when the input is a valid phone number, else the reason it is not."""
    try:
        parse_phone(raw, default_region)
    except PhoneError as error:
        return str(error)
    return None


def _text(raw: object) -> str:
    """The stripped text of the input, without a leading label; empty or non-text input is rejected."""
    if raw is None:
        raise PhoneError("it is empty")
    if not isinstance(raw, str):
        raise PhoneError(f"expected text, got {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise PhoneError("it is empty")
    return _LABEL.sub("", text, count=1)


def _split_extension(text: str) -> tuple[str, str | None]:
    """(the number's text, the extension or None)."""
    found = _EXTENSION.match(text)
    return (found.group("number"), found.group("ext")) if found else (text, None)


def _clean(text: str) -> tuple[bool, str]:
    """Split the number's text into (has an international prefix, digits), rejecting anything else."""
    compact = _SEPARATORS.sub("", text)
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    _reject_non_digits(digits)
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    return international, _check_length(digits)


def _reject_non_digits(digits: str) -> None:
    """Explain the first character that is not an ASCII digit."""
    for char in digits:
        if char in "0123456789":
            continue
        if char == "+":
            raise PhoneError("'+' is only allowed once, at the start")
        if char.isalpha():
            raise PhoneError("it contains letters")
        raise PhoneError(f"it contains {char!r}, which is not a digit")


def _check_length(digits: str) -> str:
    """Reject digit strings far too short or too long to be a phone number."""
    if not digits:
        raise PhoneError("it has no digits")
    if len(digits) < MIN_DIGITS:
        raise PhoneError(f"too short ({len(digits)} digits)")
    if len(digits) > MAX_DIGITS:
        raise PhoneError(f"too long ({len(digits)} digits)")
    return digits


def _is_mexican(international: bool, digits: str, region: str) -> bool:
    """Whether our own Mexican rules apply (they must run before phonenumbers, see module docstring)."""
    return digits.startswith(MX_CC) if international else region == "MX"


def _mx_national(digits: str, international: bool) -> str:
    """The 10 national digits of a Mexican number written with or without country code."""
    # 12+ digits starting 52 without "+" is the country code typed without the plus (52 1 …, 52 044 …).
    if international or (len(digits) >= 12 and digits.startswith(MX_CC)):
        digits = digits[len(MX_CC):]
    return _mx_strip_old_prefix(digits)


def _mx_strip_old_prefix(national: str) -> str:
    """Drop an abolished 1/044/045/01 prefix and insist on 10 digits with a real area code."""
    for prefix in MX_OLD_PREFIXES:
        if len(national) == 10 + len(prefix) and national.startswith(prefix):
            national = national[len(prefix):]
            break
    if len(national) != 10:
        raise PhoneError(f"Mexican numbers have 10 digits after +52, this has {len(national)}")
    if national[0] in "01":
        raise PhoneError("no Mexican area code starts with 0 or 1")
    return national


def _is_br_mobile(nsn: str) -> bool:
    """A Brazilian 11-digit mobile whose 8-digit form (without the 9) is the old mobile id."""
    return len(nsn) == 11 and nsn[2] == "9" and nsn[3] in "6789"


def _br_with_nine(nsn: str) -> str:
    """Add the 9th digit to an old 8-digit Brazilian mobile; landlines (local part 2–5) stay as they are."""
    if len(nsn) == 10 and nsn[2] in "6789":
        return f"{nsn[:2]}9{nsn[2:]}"
    return nsn


def _library_parse(text: str, region: str) -> PhoneNumber:
    """phonenumbers.parse, with its exceptions turned into PhoneError."""
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as error:
        raise PhoneError(_LIBRARY_PARSE_REASONS.get(error.error_type, "it could not be parsed")) from None


def _finish(country_code: str, nsn: str) -> Phone:
    """Build the Phone for an already rewritten number, if the library finds it valid or possible."""
    key = f"+{country_code}{nsn}"
    if not _KEY.match(key):
        raise PhoneError(f"an international number has 8 to 15 digits, {key} has {len(key) - 1}")
    number = _library_parse(key, "ZZ")
    region = _region_of(number)
    if not phonenumbers.is_valid_number(number):
        possibility = phonenumbers.is_possible_number_with_reason(number)
        if possibility != ValidationResult.IS_POSSIBLE:
            reason = _POSSIBILITY_REASONS.get(possibility, "not a valid number for {region}")
            raise PhoneError(reason.format(region=region))
    return Phone(key=key, region=region)


def _region_of(number: PhoneNumber) -> str:
    """The ISO region of a number, falling back to its country code's main region."""
    return (phonenumbers.region_code_for_number(number)
            or phonenumbers.region_code_for_country_code(number.country_code))
