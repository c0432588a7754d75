"""Money as the county writes it: 万元, two decimals (to the hundred yuan), rounded half up.

One rule for the dashboard, its export, the 通报, the township and funding pages (`wan_yuan` in
core/templatetags/display.py writes it with thousands separators). The API keeps yuan.

In a sentence (`money_text`, the `money` filter) the amount carries its unit: 18.60万元 in Chinese,
¥186,000 in English — the same amount, rounded to the hundred yuan as the tables round it. English
tables keep the number in 万元 under a "(10,000 yuan)" heading.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core.text import is_chinese

TEN_THOUSAND = Decimal(10_000)
CENT = Decimal("0.01")


def to_wan(amount) -> Decimal | None:
    """`amount` (yuan: Decimal, int, float or numeric text) in 万元, rounded half up to 0.01;
    None for None, "" or anything not a number."""
    if amount is None or amount == "":
        return None
    try:
        wan = (Decimal(str(amount)) / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return abs(wan) if wan == 0 else wan  # no "-0.00" for a few yuan refunded


def wan_text(amount, *, missing: str = "—") -> str:
    """`amount` (yuan) in 万元 with thousands separators: 820000 → "82.00",
    123456789 → "12,345.68", -15000 → "-1.50"; `missing` when there is no amount."""
    wan = to_wan(amount)
    return missing if wan is None else f"{wan:,.2f}"


def money_text(amount, *, missing: str = "—") -> str:
    """`amount` (yuan) as a sentence writes it in the active language: 186000 → "18.60万元" in
    Chinese, "¥186,000" in English (to the hundred yuan, as in 万元); `missing` when there is none."""
    wan = to_wan(amount)
    if wan is None:
        return missing
    if is_chinese():
        return f"{wan:,.2f}万元"
    return f"¥{wan * TEN_THOUSAND:,.0f}"
