"""API tokens at /api/v1/auth/: `POST token/` logs in and gives a new key (shown once); `DELETE
token/` revokes the key the request carries (logging out a phone); `tokens/` lists the tokens one may
see (one's own; the guidance center: everyone's), `DELETE tokens/{id}/` revokes one."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core import access, services
from core.models import ApiToken
from core.selectors import api_tokens_visible_to
from core.throttles import AddressThrottle, TokenThrottle
from core.views import lockout


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    revoked_by = serializers.CharField(
        source="revoked_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Authorization: Token <token>; shown only now.")
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class TokenView(ObtainAuthToken):
    """POST username and password (and a `name` for the device, optional): a new key for
    `Authorization: Token <key>`, valid API_TOKEN_TTL_DAYS. DELETE: revoke the key this request
    carries."""

    permission_classes = [AllowAny]
    throttle_classes = [AddressThrottle, TokenThrottle]
    # ObtainAuthToken names DRF's own parsers: use the project's (JSON depth limited).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(summary="Log in: a new API token", responses={200: IssuedTokenSerializer})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # django-axes marks the request it was given (DRF's wrapper), which its middleware never sees.
            if getattr(request, "axes_locked_out", False):
                return lockout(request._request)
            raise
        user = serializer.validated_data["user"]
        name = request.data.get("name", "") if hasattr(request.data, "get") else ""
        token, key = services.api_token_issue(user=user, name=str(name), by=user)
        return Response(
            IssuedTokenSerializer({"token": key, "id": token.pk, "expires_at": token.expires_at}).data
        )

    @extend_schema(summary="Log out: revoke the token sent", request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated
        services.api_token_revoke(token=request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List API tokens"), retrieve=extend_schema(summary="Get an API token")
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tokens one may see: one's own; the guidance center: everyone's. DELETE revokes (the row stays,
    with who revoked it and when)."""

    serializer_class = ApiTokenSerializer
    search_fields = ["user__username", "name", "prefix"]
    route_checks = {"destroy": access.check_token_revoke}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, with no user
            return ApiToken.objects.none()
        return api_tokens_visible_to(self.request.user)

    @extend_schema(summary="Revoke an API token", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.api_token_revoke(token=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
