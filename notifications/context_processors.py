from notifications import selectors


def unread(request):
    """Unread reminder count for the header: one query per page, only for logged-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": selectors.unread_count(user=user)}
