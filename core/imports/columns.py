"""Columns of an import sheet and how a cell's value becomes a Python value.

Parsing here is only about form (a date is a date, a quantity an integer, a choice one of the
listed values); every rule of the county's process is left to the domain services.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import translation

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "无"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
CENT = Decimal("0.01")


class CellError(ValueError):
    """A cell whose content cannot be read as its column's type; the message is shown as is."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet. `key` is the parsed value's name: the model field's name where there is
    one, so that a field's validation error from a service lands on its column."""

    header: str
    key: str
    type: str = "text"  # text | date | int | decimal | bool | choice | year
    required: bool = False
    choices: type[models.TextChoices] | None = None
    help: str = ""
    example: Any = ""
    width: int = 14

    @property
    def short_header(self) -> str:
        """The header without its unit, e.g. 预算金额 for 预算金额（元）: how services name it."""
        return re.sub(r"（.*?）$", "", self.header)

    def allowed_values(self) -> str:
        if self.type == "choice" and self.choices is not None:
            return "、".join(str(label) for label in self.choices.labels)
        if self.type == "bool":
            return "是、否"
        if self.type == "date":
            return "日期，如 2021-11-20"
        if self.type == "int":
            return "整数"
        if self.type == "decimal":
            return "金额（元），最多两位小数"
        if self.type == "year":
            return "四位年份，如 2021"
        return "文字"

    def parse(self, value: Any) -> Any:
        """The cell's value as this column's Python value; None (or "" for text) when empty."""
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                value = None
        parser = getattr(self, f"_parse_{self.type}")
        if value is None:
            return "" if self.type == "text" else None
        return parser(value)

    def display(self, value: Any) -> str:
        """How a value of this column is shown in a preview or written back to a sheet as text."""
        if value is None or value == "":
            return ""
        if self.type == "bool":
            return "是" if value else "否"
        if self.type == "choice" and self.choices is not None:
            try:
                return str(self.choices(value).label)
            except ValueError:
                return str(value)
        if self.type == "date":
            return value.isoformat()
        if self.type == "decimal":
            return f"{Decimal(value):.2f}"
        return str(value)

    # --- parsers (value is never None nor "") ---------------------------------------------

    def _parse_text(self, value: Any) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float) and value.is_integer():
            # A phone number typed into a number cell comes back as 13800000000.0.
            return str(int(value))
        if isinstance(value, dt.datetime):
            return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value).strip()

    def _parse_date(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            for fmt in DATE_FORMATS:
                try:
                    return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time
                except ValueError:
                    continue
        raise CellError(f"“{value}”不是有效日期，请填写如 2021-11-20 的日期")

    def _parse_int(self, value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(f"“{value}”不是整数")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.replace(",", "")):
            return int(value.replace(",", ""))
        raise CellError(f"“{value}”不是整数")

    def _parse_year(self, value: Any) -> int:
        try:
            year = self._parse_int(value)
        except CellError:
            raise CellError(f"“{value}”不是年份，请填写如 2021 的四位年份") from None
        if not 2000 <= year <= 2100:
            raise CellError(f"年度 {year} 不在 2000—2100 之间")
        return year

    def _parse_decimal(self, value: Any) -> Decimal:
        if isinstance(value, bool):
            raise CellError(f"“{value}”不是金额")
        text = repr(value) if isinstance(value, float) else str(value)
        text = text.replace(",", "").removesuffix("元").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(f"“{value}”不是金额，请填写数字（单位：元）") from None
        if not amount.is_finite():
            raise CellError(f"“{value}”不是金额，请填写数字（单位：元）")
        rounded = amount.quantize(CENT)
        if abs(amount - rounded) > Decimal("0.000001"):
            raise CellError(f"金额“{value}”超过两位小数")
        return rounded

    def _parse_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(f"“{value}”应填“是”或“否”")

    def _parse_choice(self, value: Any) -> str:
        assert self.choices is not None  # noqa: S101 - a programming error, not user input
        text = self._parse_text(value)
        found = _choice_values(self.choices, translation.get_language()).get(text)
        if found is not None:
            return found
        raise CellError(f"“{text}”不是允许的值，可选：{self.allowed_values()}")


@functools.cache
def _choice_values(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """Label (in `language`) or value → value; the first choice wins, as read top to bottom. Kept
    per language: a column is parsed once per cell, and translating every label each time is slow."""
    found: dict[str, str] = {}
    for choice_value, label in choices.choices:
        found.setdefault(str(label), choice_value)
        found.setdefault(choice_value, choice_value)
    return found
