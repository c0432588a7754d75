from core.access import allowed
from inspections import access


def recording(request):
    """`may_record`: whether the user records inspections (the access policy), for the links to the
    recording form on any page (the township and premises pages live below this app). Evaluated only
    when a template asks: templates call a callable."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"may_record": lambda: allowed(access.check_inspection_record, by=user)}
