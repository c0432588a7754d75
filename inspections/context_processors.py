from functools import cache

from core.access import allowed
from inspections import access


def recording(request):
    """`may_record`: whether the user records inspections (the access policy), for the links to the
    recording form on any page (the township and premises pages live below this app). Asked only
    when a template asks (templates call a callable), and then once per page however many rows ask."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def may_record() -> bool:
        return allowed(access.check_inspection_record, by=user)

    return {"may_record": may_record}
