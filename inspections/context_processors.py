from inspections import services


def recording(request):
    """`may_record`: whether the user records inspections, for the links to the recording form on
    any page (the township and premises pages live below this app). Evaluated only when a template
    asks: templates call a callable."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"may_record": lambda: services.inspection_recording_policy(user=user) is not None}
