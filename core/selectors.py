"""Reads that belong to no single domain app: API tokens."""

import hashlib

from django.db.models import QuerySet

from core.models import ApiToken, Role
from core.scoping import user_role


def api_token_digest(key: str) -> str:
    """What is kept of a key: its SHA-256 (the key itself is shown once, when it is given)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_for_key(key: str) -> ApiToken | None:
    """The token a presented key is (valid or not: the caller says which refusal), with its user."""
    return ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()


def api_tokens_visible_to(user) -> QuerySet[ApiToken]:
    """A user's own tokens; the guidance center's: everyone's."""
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    if user_role(user) == Role.GUIDANCE_CENTER:
        return tokens
    return tokens.filter(user=user)
