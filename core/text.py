"""Joining translated pieces into text, as each language writes it: Chinese runs sentences together
and lists with 、 (顿号); English puts a space between sentences and a comma between items. For
documents composed in code from translated sentences (the 通报)."""

from django.conf import settings
from django.utils import translation

# Punctuation that ends or opens a piece of Chinese text, and its English.
ENGLISH_MARKS = {"；": "; ", "。": ".", "：": ": ", "，": ", "}


def is_chinese() -> bool:
    """Whether the active language (the default when none is active) is Chinese."""
    return (translation.get_language() or settings.LANGUAGE_CODE).lower().startswith("zh")


def sentences(*parts: str) -> str:
    """The non-empty `parts` (each a whole translated sentence or clause, with its punctuation) as
    one paragraph: side by side in Chinese, a space between them in English."""
    return ("" if is_chinese() else " ").join(p for p in parts if p)


def listing(items) -> str:
    """`items` as a list inside a sentence: 北关镇、城关镇 / 北关镇, 城关镇."""
    return ("、" if is_chinese() else ", ").join(str(i) for i in items)


def mark(chinese: str) -> str:
    """A Chinese punctuation mark (；。：，) in the active language."""
    return chinese if is_chinese() else ENGLISH_MARKS[chinese]


def person_name(user) -> str:
    """How the pages name a user who did something (提交人, 录入人, 报告人, ...): the person's name
    (User first / last name, as the admin records it; a Chinese name is kept whole in first_name),
    the login only when no name was recorded; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def choice_labels(model, field_name: str) -> dict:
    """{value: label} of a model field's choices in the active language, for a list that labels
    many rows: what get_<field>_display gives a row, without hashing every choice's lazy label
    again for each row (which cost more than the rest of a row). A value with no choice labels
    itself, as get_<field>_display does: `labels.get(value, value)`."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}
