"""Rate limits of the API (settings: REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]): a 429 with
`Retry-After` beyond them. Rates come from settings.API_THROTTLE_RATES ("N/second|minute|hour|day"),
read on each request so that a deployment (or a test) sets them.

- per client address, every request (the address is core.signals.client_ip's: the trusted proxies'
  word, never a client's claim) — generous, as a county office's users share one address;
- per address, asking for a token (guessing passwords; the login lockout counts per user too);
- per user, Excel exports (each reads every row its filters select).
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.signals import client_ip


class _SettingsRate(SimpleRateThrottle):
    # A throttle is made per request, and asks get_rate then: the rate is the settings' of the moment
    # (DRF's own reads a copy of its settings taken at import).
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class AddressThrottle(_SettingsRate):
    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request) or "unknown"}


class TokenThrottle(AddressThrottle):
    scope = "token"


class ExportThrottle(_SettingsRate):
    scope = "export"

    def get_cache_key(self, request, view):
        if request.query_params.get("format") != "xlsx" or not request.user.is_authenticated:
            return None  # not an export: not counted
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
