"""The one formatter and parser: each kind as a person reads it (expected texts written by hand)."""

import math

import pytest

from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import count, display_number, fmt_number, format_value, money, parse_number, patients, percent


def test_fmt_number_writes_numbers_as_people_do():
    assert fmt_number(0.95) == "0.95"
    assert fmt_number(500) == "500"
    assert fmt_number(500.0) == "500"
    assert fmt_number(100_000_000) == "1e+08"
    assert fmt_number(True) == "True"


def test_format_value_dispatches_on_the_declared_kind():
    assert format_value(94457.2, "money") == "USD 94,457"
    assert format_value(94457.2, "money", "EUR") == "EUR 94,457"
    assert format_value(0.8432, "fraction") == "84.3%"
    assert format_value(20, "days") == "20.0 d"
    assert format_value(21.0, "count") == "21"
    assert format_value(1234.5, "number") == "1,234.50"
    assert format_value("shared", "choice") == "shared"
    assert format_value(None, "money") == "-"
    assert format_value(math.inf, "money") == "-"


def test_chart_formatters():
    assert money(5543.4) == "USD 5,543"
    assert money(-12.6, "EUR") == "-EUR 13"
    assert money(None) == "n/a"
    assert percent(0.843) == "84%"
    assert percent(0.843, 1) == "84.3%"
    assert percent(math.nan) == "n/a"
    assert count(21.0) == "21"
    assert count(2.5) == "2.5"
    assert count(150.4) == "150"
    assert patients(96.2) == "97"
    assert patients(0.5) == "0.5"


def test_parse_number_reads_what_people_type_and_display_number_writes_it_back():
    assert parse_number("1,000") == 1000
    assert parse_number("95%") == pytest.approx(0.95)
    assert parse_number("0,95") == pytest.approx(0.95)
    with pytest.raises(InputError):
        parse_number("abc")
    assert display_number(1200) == "1,200"
    assert display_number(0.95) == "0.95"
    assert display_number(None) == ""


def test_one_number_style_for_inputs_ranges_and_figures():
    from cgtdesk.core.formatting import display_input, plain, range_words, sig

    assert money(-13329.4) == "-USD 13,329"
    assert format_value(-13329.4, "money") == "-USD 13,329"
    assert display_input(0.75, "fraction") == "75%"
    assert display_input(0.925, "fraction") == "92.5%"
    assert display_input(1200, "money") == "1,200"
    assert parse_number("75%") == pytest.approx(parse_number("0.75"))
    assert range_words(0, 1e8) == "0 to 100,000,000"
    assert range_words(0.01, 1, "fraction") == "1% to 100%"
    assert range_words(1, 1000, "count", integer=True) == "1 to 1,000 (whole numbers)"
    assert plain(2500000.0) == "2,500,000" and plain(0.5) == "0.5"
    assert sig(75.234) == "75.2"
    assert sig(453314.2) == "453,314"
    assert sig(0.012345) == "0.0123"
    assert sig(2.0) == "2"
