"""Columns of an import sheet and how a cell's value becomes a Python value.

Parsing here is only about form (a date is a date, a quantity an integer, a choice one of the
listed values); every rule of the county's process is left to the domain services.

Language. The sheet is the county's file format and stays Chinese in both languages: the sheet
name, the headers, the choice labels and 是/否 written into cells (so a file made in one language
imports in the other, and an export reads the same whoever downloads it). In English the import
also accepts each choice's English label and yes/no, and everything the user reads about the file
is English: the template's 填写说明 sheet, a comment on each header with its English meaning
(`Column.meaning`, the header's entry in the catalogue — headers are marked with gettext_noop for
that), the dropdowns' error text, and every message about the file or a row (the reason, the
"Row N, column 乡镇 (Township): ..." frame, the summary counts, the job's status). A column is
named by its header (the file's word) followed, in English, by its meaning.
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
from django.utils.functional import Promise
from django.utils.translation import gettext as _

# The language of the file format: headers, choice labels and 是/否 in cells (see the docstring).
FILE_LANGUAGE = "zh-hans"
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
    help: str | Promise = ""
    example: Any = ""
    width: int = 14

    @property
    def short_header(self) -> str:
        """The header without its unit, e.g. 预算金额 for 预算金额（元）: how services name it."""
        return re.sub(r"（.*?）$", "", self.header)

    @property
    def meaning(self) -> str:
        """The header in the reader's language ("" when that is the header itself)."""
        meaning = _(self.header)
        return "" if meaning == self.header else meaning

    @property
    def title(self) -> str:
        """How a message names the column: its header, and in English its meaning after it."""
        return column_title(self.header)

    def file_values(self) -> list[str]:
        """What a cell of a choice or yes/no column holds in the file format (the dropdown's list)."""
        if self.type == "choice" and self.choices is not None:
            return list(_file_labels(self.choices))
        if self.type == "bool":
            return ["是", "否"]
        return []

    def allowed_values(self) -> str:
        """What may be typed in the column, said in the reader's language: the file's values of a
        choice (and, in English, the English labels also accepted) or a description of the type."""
        if self.type == "choice" and self.choices is not None:
            allowed = "、".join(self.file_values())
            labels = [str(label) for label in self.choices.labels]
            if labels != self.file_values():
                allowed = _("%(values)s（或 %(labels)s）") % {"values": allowed, "labels": ", ".join(labels)}
            return allowed
        if self.type == "bool":
            allowed = "、".join(self.file_values())
            yes_no = _("是、否")
            return (
                allowed
                if yes_no == allowed
                else _("%(values)s（或 %(labels)s）") % {"values": allowed, "labels": yes_no}
            )
        if self.type == "date":
            return _("日期，如 2021-11-20")
        if self.type == "int":
            return _("整数")
        if self.type == "decimal":
            return _("金额（元），最多两位小数")
        if self.type == "year":
            return _("四位年份，如 2021")
        return _("文字")

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

    def cell_text(self, value: Any) -> str:
        """A value as text in the file format (Chinese labels, 是/否), whatever the reader's language."""
        with translation.override(FILE_LANGUAGE):
            return self.display(value)

    def display(self, value: Any) -> str:
        """How a value of this column is shown in a preview (a choice in the reader's language)."""
        if value is None or value == "":
            return ""
        if self.type == "bool":
            return str(_("是") if value else _("否"))
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
        raise CellError(_("“%(value)s”不是有效日期，请填写如 2021-11-20 的日期") % {"value": value})

    def _parse_int(self, value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(_("“%(value)s”不是整数") % {"value": value})
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.replace(",", "")):
            return int(value.replace(",", ""))
        raise CellError(_("“%(value)s”不是整数") % {"value": value})

    def _parse_year(self, value: Any) -> int:
        try:
            year = self._parse_int(value)
        except CellError:
            raise CellError(_("“%(value)s”不是年份，请填写如 2021 的四位年份") % {"value": value}) from None
        if not 2000 <= year <= 2100:
            raise CellError(_("年度 %(year)d 不在 2000—2100 之间") % {"year": year})
        return year

    def _parse_decimal(self, value: Any) -> Decimal:
        if isinstance(value, bool):
            raise CellError(_("“%(value)s”不是金额") % {"value": value})
        text = repr(value) if isinstance(value, float) else str(value)
        text = text.replace(",", "").removesuffix("元").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(value)s”不是金额，请填写数字（单位：元）") % {"value": value}) from None
        if not amount.is_finite():
            raise CellError(_("“%(value)s”不是金额，请填写数字（单位：元）") % {"value": value})
        rounded = amount.quantize(CENT)
        if abs(amount - rounded) > Decimal("0.000001"):
            raise CellError(_("金额“%(value)s”超过两位小数") % {"value": value})
        return rounded

    def _parse_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(_("“%(value)s”应填“是”或“否”") % {"value": value})

    def _parse_choice(self, value: Any) -> str:
        assert self.choices is not None  # noqa: S101 - a programming error, not user input
        text = self._parse_text(value)
        values = _choice_values(self.choices, translation.get_language())
        found = values.get(text, values.get(text.lower()))
        if found is not None:
            return found
        raise CellError(
            _("“%(value)s”不是允许的值，可选：%(allowed)s")
            % {"value": text, "allowed": self.allowed_values()}
        )


def column_title(header: str | None) -> str:
    """A column as messages name it: its header (the file's word) and, when the reader's language
    is not the file's, the header's meaning in it — 乡镇 (Township)."""
    if not header:
        return ""
    meaning = _(header)
    return header if meaning == header else f"{header} ({meaning})"


@functools.cache
def _file_labels(choices: type[models.TextChoices]) -> tuple[str, ...]:
    with translation.override(FILE_LANGUAGE):
        return tuple(str(label) for label in choices.labels)


@functools.cache
def _choice_values(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """Label (in the file's language, then in `language`) or value → value; the first choice wins,
    as read top to bottom. Kept per language: a column is parsed once per cell, and translating
    every label each time is slow."""
    found: dict[str, str] = {}
    for choice_value, label in zip(choices.values, _file_labels(choices), strict=True):
        found.setdefault(label, choice_value)
    for choice_value, label in choices.choices:
        found.setdefault(str(label), choice_value)
        found.setdefault(str(label).lower(), choice_value)
        found.setdefault(choice_value, choice_value)
    return found
