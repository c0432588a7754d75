"""The API's patterns tried by first segment (core.urls_index) resolve every path as Django's own
resolver over the same patterns does: the same view, arguments and route, and the same 404."""

import pytest
from django.urls import Resolver404, URLResolver, resolve, reverse
from django.urls.resolvers import RoutePattern

from config.api_urls import router
from core.urls_index import IndexedResolver, first_segment

ROUTED = [
    "",
    ".json",
    "hazards/",
    "hazards.json",
    "hazards/12/",
    "hazards/12.json",
    "hazards/12/rectify/",
    "hazards/12/photos/",
    "auth/tokens/",
    "auth/tokens/3/",
    "inspections/",
    "premises/7/",
    "townships/1/",
]
NOT_ROUTED = [
    "hazardsx/",
    "hazards",
    "nothing/here/",
    "hazards/12/no-such-action/",
    "auth/",
    "/hazards/",
]


def _answer(resolver, path):
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return "404"
    return (match.func.__qualname__, match.url_name, match.args, match.kwargs, match.route)


@pytest.mark.parametrize("path", ROUTED + NOT_ROUTED)
def test_every_path_resolves_as_django_does(path):
    plain = URLResolver(RoutePattern("", is_endpoint=False), router.urls)
    answer = _answer(IndexedResolver(router.urls), path)
    assert answer == _answer(plain, path)
    assert (answer == "404") == (path in NOT_ROUTED)


def test_every_routed_pattern_is_reached_through_the_index():
    """Each of the router's patterns (but the root's) has a first segment, and its group holds it."""
    indexed = IndexedResolver(router.urls)
    by_segment, rest = indexed._groups
    for pattern in router.urls:
        segment = first_segment(pattern)
        group = by_segment[segment] if segment is not None else rest
        assert pattern in group.url_patterns
    assert [first_segment(p) for p in rest.url_patterns] == [None] * len(rest.url_patterns)
    assert len(by_segment) > 20  # the index does split the router's patterns


def test_the_project_routes_and_reverses_through_it():
    match = resolve("/api/v1/hazards/12/rectify/")
    assert (match.url_name, match.kwargs) == ("hazard-rectify", {"pk": "12"})
    assert reverse("hazard-detail", kwargs={"pk": 12}) == "/api/v1/hazards/12/"
    with pytest.raises(Resolver404) as refused:
        resolve("/api/v1/hazardsx/")
    assert refused.value.args[0]["tried"]  # a 404 still lists what was tried
