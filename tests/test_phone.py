"""Phone normalisation: every way of writing one person's number gives the same canonical key."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone import Phone, PhoneError, canonical_phone, parse_phone, phone_error

MX = "+525512345678"
BR = "+5511987654321"
BR31 = "+5531988887777"
AR = "+5491123456789"
US = "+12125551234"
KEY_PATTERN = re.compile(r"^\+[1-9]\d{7,14}$")

CASES = [
    # The seed document's examples.
    ("55 1234 5678", "MX", MX),
    ("(555) 123-4567", "MX", "+525551234567"),
    ("+52 55 1234 5678", "MX", MX),
    # Mexico: country code with and without "+", the old mobile 1, 044/045/01, exit code 00.
    ("5512345678", "MX", MX),
    ("+525512345678", "MX", MX),
    ("+5215512345678", "MX", MX),
    ("+52 1 55 1234 5678", "MX", MX),
    ("525512345678", "MX", MX),
    ("52 55 1234 5678", "MX", MX),
    ("5215512345678", "MX", MX),
    ("52 1 55 1234 5678", "MX", MX),
    ("044 55 1234 5678", "MX", MX),
    ("045 55 1234 5678", "MX", MX),
    ("0445512345678", "MX", MX),
    ("01 55 1234 5678", "MX", MX),
    ("+52 044 55 1234 5678", "MX", MX),
    ("+52 045 55 1234 5678", "MX", MX),
    ("+52 01 55 1234 5678", "MX", MX),
    ("52 044 55 1234 5678", "MX", MX),
    ("1 55 1234 5678", "MX", MX),
    ("15512345678", "MX", MX),
    ("55.1234.5678", "MX", MX),
    ("55-1234-5678", "MX", MX),
    ("(55) 1234-5678", "MX", MX),
    ("55/1234/5678", "MX", MX),
    ("  55 12 34 56 78  ", "MX", MX),
    ("55\u00a01234\u00a05678", "MX", MX),
    ("00 52 55 1234 5678", "MX", MX),
    ("0052 1 55 1234 5678", "MX", MX),
    ("+52 (55) 1234.5678", "MX", MX),
    ("5512345678", "mx", MX),
    ("+525512345678", "BR", MX),
    ("011 52 1 55 1234 5678", "US", MX),
    ("+52 33 1234 5678", "US", "+523312345678"),
    ("+52 999 123 4567", "MX", "+529991234567"),
    ("1 212 555 1234", "MX", "+522125551234"),
    ("551234567", "MX", None),
    ("55123456789", "MX", None),
    ("0512345678", "MX", None),
    ("+520000000000", "MX", None),
    ("+52 15 1234 567", "MX", None),
    # Brazil: the 9th digit is added to old 8-digit mobiles only, never to landlines.
    ("+55 11 98765-4321", "MX", BR),
    ("+55 11 8765-4321", "MX", BR),
    ("+5511987654321", "BR", BR),
    ("+551187654321", "BR", BR),
    ("(11) 98765-4321", "BR", BR),
    ("(11) 8765-4321", "BR", BR),
    ("011 98765 4321", "BR", BR),
    ("0 21 11 98765 4321", "BR", BR),
    ("0055 11 98765 4321", "MX", BR),
    ("5511987654321", "BR", BR),
    ("+55 31 98888-7777", "MX", BR31),
    ("+55 31 8888-7777", "MX", BR31),
    ("+55 (31) 9 8888-7777", "MX", BR31),
    ("(31) 8888-7777", "BR", BR31),
    ("+553188888888", "MX", "+5531988888888"),
    ("+551133334444", "MX", "+551133334444"),
    ("(11) 3333-4444", "BR", "+551133334444"),
    ("+55 21 2555 1234", "MX", "+552125551234"),
    ("+55 31 3333-4444", "MX", "+553133334444"),
    ("+55 11 98765-43210", "MX", None),
    # Argentina: the local 15 becomes the mobile 9; the landline form is a different subscriber.
    ("+5491123456789", "MX", AR),
    ("+54 9 11 2345-6789", "MX", AR),
    ("+54 11 15 2345 6789", "AR", AR),
    ("+54 11 15 2345 6789", "MX", AR),
    ("011 15 2345-6789", "AR", AR),
    ("11 15 2345 6789", "AR", AR),
    ("0054 9 11 2345 6789", "MX", AR),
    ("00 54 11 15 2345 6789", "MX", AR),
    ("0221 15 412 3456", "AR", "+5492214123456"),
    ("+541123456789", "MX", "+541123456789"),
    ("011 2345-6789", "AR", "+541123456789"),
    # United States.
    ("+1 212 555 1234", "MX", US),
    ("+1 (212) 555-1234", "MX", US),
    ("001 212 555 1234", "MX", US),
    ("(212) 555-1234", "US", US),
    ("212-555-1234", "US", US),
    ("212.555.1234", "US", US),
    ("1 212 555 1234", "US", US),
    ("+1 212 555 123", "MX", None),
    # Other countries.
    ("+34 612 345 678", "MX", "+34612345678"),
    ("612 345 678", "ES", "+34612345678"),
    ("91 234 56 78", "ES", "+34912345678"),
    ("+57 300 123 4567", "MX", "+573001234567"),
    ("300 1234567", "CO", "+573001234567"),
    ("(601) 2345678", "CO", "+576012345678"),
    ("+44 20 7946 0958", "MX", "+442079460958"),
    ("+44 (0) 20 7946 0958", "MX", "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("07400 123456", "GB", "+447400123456"),
    ("06 12 34 56 78", "FR", "+33612345678"),
    # Not phone numbers.
    ("", "MX", None),
    (None, "MX", None),
    ("   ", "MX", None),
    ("\t\n", "MX", None),
    ("abc", "MX", None),
    ("55 1234 abcd", "MX", None),
    ("12", "MX", None),
    ("+", "MX", None),
    ("++52", "MX", None),
    ("++525512345678", "MX", None),
    ("52+5512345678", "MX", None),
    ("12345678901234567890", "MX", None),
    ("+12345678901234567890", "MX", None),
    ("😀", "MX", None),
    ("📞 55 1234 5678", "MX", None),
    ("+99912345678", "MX", None),
    ("5512345678", "XX", None),
]


@pytest.mark.parametrize(("raw", "region", "expected"), CASES)
def test_canonical_phone(raw, region, expected):
    assert canonical_phone(raw, region) == expected


def test_table_is_large_enough():
    assert len(CASES) >= 70


def test_default_region_is_mexico():
    assert canonical_phone("55 1234 5678") == MX


@pytest.mark.parametrize(("raw", "region", "expected"), [(r, g, e) for r, g, e in CASES if e])
def test_parse_phone_key_is_idempotent(raw, region, expected):
    assert parse_phone(expected, "US").key == expected


@pytest.mark.parametrize(("raw", "region", "key", "expected"), [
    ("+52 55 1234 5678", "MX", MX, "MX"),
    ("+55 11 8765-4321", "MX", BR, "BR"),
    ("011 15 2345-6789", "AR", AR, "AR"),
    ("(212) 555-1234", "US", US, "US"),
    ("612 345 678", "ES", "+34612345678", "ES"),
])
def test_parse_phone_region(raw, region, key, expected):
    assert parse_phone(raw, region) == Phone(key=key, region=expected)


def test_phone_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_phone(MX).key = BR  # type: ignore[misc]


@pytest.mark.parametrize(("raw", "expected"), [
    (MX, "5512345678"),
    ("+5215512345678", "5512345678"),
    (BR, "87654321"),
    ("+551187654321", "87654321"),
    ("+551133334444", "33334444"),
    (AR, "1123456789"),
    ("+541123456789", "1123456789"),
    (US, "2125551234"),
    ("+34612345678", "612345678"),
    ("+442079460958", "2079460958"),
])
def test_search_digits(raw, expected):
    assert parse_phone(raw).search_digits() == expected


@pytest.mark.parametrize(("raw", "expected"), [
    (MX, (MX, "+5215512345678")),
    ("+5215512345678", (MX, "+5215512345678")),
    ("+52 999 123 4567", ("+529991234567", "+5219991234567")),
    (BR, (BR, "+551187654321")),
    ("+551187654321", (BR, "+551187654321")),
    ("+553188887777", (BR31, "+553188887777")),
    ("+551133334444", ("+551133334444",)),
    ("+5511923456789", ("+5511923456789",)),
    (AR, (AR,)),
    ("+541123456789", ("+541123456789",)),
    (US, (US,)),
    ("+34612345678", ("+34612345678",)),
])
def test_chatwoot_variants(raw, expected):
    assert parse_phone(raw).chatwoot_variants() == expected


def test_argentine_mobile_and_landline_stay_distinct():
    mobile, landline = parse_phone("+5491123456789"), parse_phone("+541123456789")
    assert mobile.key != landline.key
    assert landline.key not in mobile.chatwoot_variants()
    assert mobile.key not in landline.chatwoot_variants()


@pytest.mark.parametrize(("raw", "region", "fragment"), [
    ("", "MX", "empty"),
    (None, "MX", "empty"),
    ("   ", "MX", "empty"),
    ("abc", "MX", "letters"),
    ("😀", "MX", "not a digit"),
    ("12", "MX", "too short"),
    ("12345678901234567890", "MX", "too long"),
    ("+", "MX", "no digits"),
    ("++52", "MX", "'+' is only allowed once"),
    ("551234567", "MX", "Mexican numbers have 10 digits after +52, this has 9"),
    ("0512345678", "MX", "area code"),
    ("+99912345678", "MX", "unknown country code"),
    ("5512345678", "XX", "'XX' is not a known region"),
    ("+1 212 555 123", "MX", "too short for US"),
])
def test_phone_error_reason(raw, region, fragment):
    reason = phone_error(raw, region)
    assert reason is not None
    assert reason.startswith("not a phone number: ")
    assert fragment in reason


def test_phone_error_is_none_for_valid_numbers():
    assert phone_error("+52 55 1234 5678") is None


def test_parse_phone_raises_phone_error_with_the_same_reason():
    with pytest.raises(PhoneError) as caught:
        parse_phone("55 1234 abcd")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == phone_error("55 1234 abcd")


@pytest.mark.parametrize(("raw", "region", "key", "extension"), [
    ("55 8642 9753 ext. 12", "MX", "+525586429753", "12"),
    ("55 7531 8642 x3", "MX", "+525575318642", "3"),
    ("55 1234 5678 #12", "MX", "+525512345678", "12"),
    ("55 1234 5678 extensión 7", "MX", "+525512345678", "7"),
    ("212-555-0183 x204", "US", "+12125550183", "204"),
    ("cel. 55 2222 3333", "MX", "+525522223333", None),
    ("Tel: (55) 1234 5678", "MX", "+525512345678", None),
    ("tel:+525512345678", "MX", "+525512345678", None),
    ("whatsapp:+5215512345678", "MX", "+525512345678", None),
    ("Móvil 55 2222 3333 ext 4", "MX", "+525522223333", "4"),
])
def test_labels_and_extensions_are_set_aside_not_rejected(raw, region, key, extension):
    phone = parse_phone(raw, region)
    assert (phone.key, phone.extension) == (key, extension)
    assert canonical_phone(raw, region) == key


@pytest.mark.parametrize("raw", ["abc", "55 1234 abcd", "ext 12", "cel.", "x 55"])
def test_words_without_a_number_stay_rejected(raw):
    assert canonical_phone(raw) is None


def test_non_text_input_is_rejected_not_crashing():
    assert canonical_phone(5512345678) is None  # type: ignore[arg-type]
    assert "expected text" in phone_error(5512345678)  # type: ignore[arg-type]


REGIONS = st.sampled_from(["MX", "BR", "AR", "US", "ES", "GB", "CO", "mx", "XX", ""])
PHONE_CHARS = "0123456789" * 4 + " +-.()/#xX"
PREFIXES = st.sampled_from(
    ["", "+", "00", "+52", "+521", "52", "521", "044", "01", "+55", "+549", "+54", "+1"])
DIGITISH = st.builds(lambda prefix, rest: prefix + rest, PREFIXES, st.text(alphabet=PHONE_CHARS, max_size=22))


def assert_key_or_none(raw, region):
    key = canonical_phone(raw, region)
    assert key is None or KEY_PATTERN.match(key)
    if key is not None:
        assert canonical_phone(key, "US") == key


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(max_size=30), REGIONS)
def test_canonical_phone_never_raises_on_text(raw, region):
    assert_key_or_none(raw, region)


@settings(max_examples=1000, deadline=None, database=None)
@given(DIGITISH, REGIONS)
def test_canonical_phone_never_raises_on_digitish_strings(raw, region):
    assert_key_or_none(raw, region)
