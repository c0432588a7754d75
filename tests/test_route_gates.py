"""The API's route gate (core.api.RolePermission) is the apps' access policies: every write route of
/api/v1/ names the check of its own app's `access` module that gates it, so a role that may never take
a step is turned away in the policy's words, before its input is read. Only a route that changes no
one's records but the user's own (marking one's reminders read) is gated by role alone."""

from rest_framework.permissions import SAFE_METHODS

from config.api_urls import router

# Routes whose write is the user's own, with no rule of who may change what.
NO_POLICY = {("notifications", "mark_read")}


def write_routes():
    """(prefix, viewset, action) of every write route the API serves."""
    for prefix, viewset, _basename in router.registry:
        for route in router.get_routes(viewset):
            for method, action in router.get_method_map(viewset, route.mapping).items():
                if method.upper() not in SAFE_METHODS:
                    yield prefix, viewset, action


def test_every_write_route_is_gated_by_a_check_of_its_apps_access_policy():
    routes = list(write_routes())
    assert len(routes) > 30
    for prefix, viewset, action in routes:
        if (prefix, action) in NO_POLICY:
            continue
        check = getattr(viewset, "route_checks", {}).get(action)
        assert check is not None, (prefix, action)
        app = viewset.__module__.split(".")[0]
        assert check.__module__ == f"{app}.access", (prefix, action, check)
        # No role set of its own beside the policy.
        assert not hasattr(viewset, "write_roles"), prefix
        assert action not in getattr(viewset, "action_roles", {}), (prefix, action)
