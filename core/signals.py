import ipaddress

from django.conf import settings
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

USERNAME_MAX_LENGTH = 150  # django.contrib.auth's User.username
# An X-Forwarded-For longer than this was not written by our proxies: not read.
MAX_FORWARDED_CHARS = 1000


def client_ip(request) -> str | None:
    """The address of the client, as the audit trail and the login lockout (AXES_CLIENT_IP_CALLABLE)
    record it. Headers are trusted only from the proxies the deployment declares: with
    TRUSTED_PROXY_COUNT = N (0 by default: no proxy, nothing trusted) the client is the N-th address
    from the right of X-Forwarded-For, which our own proxies appended; any address a client put
    before those is its own claim and ignored. When the peer (REMOTE_ADDR) is not one of
    TRUSTED_PROXIES (networks; empty: any peer), or the chain is shorter than N or not an address,
    the peer itself. Never raises: an address that does not parse is None."""
    peer = _address(request.META.get("REMOTE_ADDR"))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0 or not _trusted_peer(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    if not isinstance(forwarded, str) or len(forwarded) > MAX_FORWARDED_CHARS:
        return peer
    chain = [part.strip() for part in forwarded.split(",")]
    if len(chain) < count:
        return peer
    return _address(chain[-count]) or peer


def lockout_username(request, credentials=None) -> str | None:
    """The username the login lockout counts (AXES_USERNAME_CALLABLE): as axes reads it, cut to the
    longest a username can be. Longer, no account has it, and axes's record of the attempt
    (255 characters) refused it: a 500 on the token endpoint."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username[:USERNAME_MAX_LENGTH] if isinstance(username, str) else username


def _trusted_peer(peer: str | None) -> bool:
    networks = settings.TRUSTED_PROXIES
    if not networks:
        return True
    if peer is None:
        return False
    address = ipaddress.ip_address(peer)
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def _address(value) -> str | None:
    """`value` as a normalised IP address (no zone id: the database's inet has none), else None."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        address = ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None
    return str(address)


@receiver(pre_create_historical_record)
def record_ip_address(sender, history_instance, **kwargs):
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None and hasattr(history_instance, "ip_address"):
        history_instance.ip_address = client_ip(request)
