"""How the pages write money (万元) and dates: the `display` template filters."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.money import to_wan


def render(source: str, **context) -> str:
    return Template("{% load display %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal(820000), "82.00"),
        (820000, "82.00"),
        (Decimal("123456789"), "12,345.68"),  # thousands separators in 万元
        (Decimal("1234567890.00"), "123,456.79"),
        (Decimal("12345"), "1.23"),  # to the hundred yuan
        (Decimal("12350"), "1.24"),  # half up, not to even
        (Decimal("12250"), "1.23"),
        (Decimal("49"), "0.00"),
        (Decimal("-15000"), "-1.50"),  # a refund
        (Decimal("-12345678"), "-1,234.57"),
        (Decimal("-49"), "0.00"),  # never "-0.00"
        (0, "0.00"),
        (Decimal("0.00"), "0.00"),
        (None, "—"),
        ("", "—"),
        ("not money", "—"),
        (150000.5, "15.00"),
        ("820000", "82.00"),
    ],
)
def test_wan_yuan_writes_yuan_as_wan_yuan_with_separators(amount, text):
    assert render("{{ amount|wan_yuan }}", amount=amount) == text


def test_to_wan_is_the_number_the_exports_write():
    assert to_wan(Decimal("820000")) == Decimal("82.00")
    assert to_wan(Decimal("12350")) == Decimal("1.24")
    assert to_wan(None) is None
    assert str(to_wan(-1)) == "0.00"


def test_day_writes_the_one_date_format_of_the_language():
    day = dt.date(2026, 12, 3)
    assert render("{{ d|day }}", d=day) == "2026年12月3日"
    assert render('{{ d|day:"short" }}', d=dt.date(2026, 9, 5)) == "9月5日"
    assert render('{{ d|day|default:"—" }}', d=None) == "—"
    # A datetime is written as its date where the county is (UTC+8): the next day here.
    late = dt.datetime(2026, 12, 3, 17, 30, tzinfo=dt.UTC)
    assert render("{{ d|day }}", d=late) == "2026年12月4日"
    assert render("{{ d|day_time }}", d=late) == "2026年12月4日 01:30"
    assert render("{{ d|day_time }}", d=dt.datetime(2026, 1, 2, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai"))) == (
        "2026年1月2日 09:05"
    )
    with translation.override("en"):  # an English reader's: day, month in words, year (core/formats)
        assert render("{{ d|day }}", d=day) == "3 December 2026"
        assert render('{{ d|day:"short" }}', d=dt.date(2026, 9, 5)) == "5 September"
        assert render("{{ d|day_time }}", d=late) == "4 December 2026 01:30"


def test_money_in_a_sentence_carries_the_unit_of_the_language():
    """The same amount as the tables' 万元, rounded to the hundred yuan: 万元 in Chinese, yuan in English."""
    assert render("{{ a|money }}", a=Decimal(186000)) == "18.60万元"
    assert render("{{ a|money }}", a=Decimal("123456789")) == "12,345.68万元"
    assert render("{{ a|money }}", a=None) == "—"
    with translation.override("en"):
        assert render("{{ a|money }}", a=Decimal(186000)) == "¥186,000"
        assert render("{{ a|money }}", a=Decimal("123456789")) == "¥123,456,800"
        assert render("{{ a|money }}", a=Decimal("49")) == "¥0"
        assert render("{{ a|wan_yuan }}", a=Decimal(186000)) == "18.60"  # a table's, under "(10,000 yuan)"


def test_listing_joins_as_the_language_does():
    assert render("{{ names|listing }}", names=["北关镇", "城关镇"]) == "北关镇、城关镇"
    with translation.override("en"):
        assert render("{{ names|listing }}", names=["北关镇", "城关镇"]) == "北关镇, 城关镇"


def test_css_string_cannot_leave_the_string():
    assert render("{{ s|css_string }}", s="2026年冬春火灾防控") == '"2026年冬春火灾防控"'
    escaped = render("{{ s|css_string }}", s='a"; } </style><script>x</script>\\')
    assert escaped.startswith('"')
    assert escaped.endswith('"')
    inner = escaped[1:-1]
    assert not any(ch in inner for ch in "\"'<>;{}/ ")
    assert "\\000022" in inner
    assert "\\00003c" in inner
