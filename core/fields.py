"""Model fields that mean the same thing wherever they stand, declared once.

Each returns a plain Django field, so migrations see exactly what an inline declaration gave.
"""

from django.conf import settings
from django.db import models

from core.validators import phone_validator


def phone_field(verbose_name, *, blank: bool = False) -> models.CharField:
    """A phone number someone must be reachable on: a mobile or a landline (core.validators)."""
    return models.CharField(verbose_name, max_length=20, blank=blank, validators=[phone_validator])


def entered_by_field(verbose_name) -> models.ForeignKey:
    """The account that entered a record: the record outlives the account, and users need no
    reverse accessor to every record they typed in."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )
