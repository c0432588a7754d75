"""`Authorization: Token <key>` against core.models.ApiToken: the key is looked up by its digest;
an unknown, expired or revoked key, or a deactivated user, is a 401 with the reason (and the
`WWW-Authenticate: Token` challenge)."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from core import services
from core.selectors import api_token_for_key

KEYWORD = "Token"


class HashedTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: the session may still authenticate
        if len(words) != 2:
            raise AuthenticationFailed(_("令牌格式不对：应为“Token 令牌”，中间一个空格。"))
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("令牌格式不对：只能含字母和数字。")) from exc
        token = api_token_for_key(key)
        refusal = services.api_token_refusal(token)
        if refusal:
            raise AuthenticationFailed(refusal)
        services.api_token_used(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return KEYWORD


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for this authentication: DRF's usual token header."""

    target_class = HashedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>, from POST /api/v1/auth/token/ (expires; revocable).",
        }
