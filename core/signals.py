from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


def client_ip(request) -> str | None:
    # Behind the county's reverse proxy the proxy sets X-Real-IP; REMOTE_ADDR otherwise.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


@receiver(pre_create_historical_record)
def record_ip_address(sender, history_instance, **kwargs):
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None and hasattr(history_instance, "ip_address"):
        history_instance.ip_address = client_ip(request)
