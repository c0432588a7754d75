"""A URL resolver that tries a router's patterns by the path's first segment.

Django tries a resolver's patterns one by one; the API's router has ~100 of them, and a call to
the last resource tried every one before it (~0.3 ms of each API call, more than its hazard list's
filters). `IndexedResolver` keeps the same patterns in the same order (reverse(), the schema and a
404's list of tried patterns read them as before) and hands a path only those whose regex starts
with its first segment, with those that start with none (the API root)."""

import re

from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RoutePattern
from django.utils.functional import cached_property

# A regex's literal first segment: `^hazards/…`, `^hazards\.(?P<format>…)`, `^hazards$`.
_LITERAL_SEGMENT = re.compile(r"\^([A-Za-z0-9_-]+)(?=/|\\\.|\$)")
_PATH_SEGMENT = re.compile(r"[^/.]*")


def first_segment(pattern) -> str | None:
    """The literal first segment every path `pattern` matches starts with; None if it has none."""
    regex = getattr(pattern.pattern, "regex", None)
    found = _LITERAL_SEGMENT.match(regex.pattern) if regex is not None else None
    return found.group(1) if found else None


class IndexedResolver(URLResolver):
    """`patterns` at the root of their include, resolved by first segment (see the module)."""

    def __init__(self, patterns: list):
        super().__init__(RoutePattern("", is_endpoint=False), patterns)

    @cached_property
    def _groups(self) -> tuple[dict[str, URLResolver], URLResolver]:
        segments = {first_segment(p) for p in self.url_patterns} - {None}

        def group(segment):
            kept = [p for p in self.url_patterns if first_segment(p) in (segment, None)]
            return URLResolver(RoutePattern("", is_endpoint=False), kept)

        return {s: group(s) for s in segments}, group(None)

    def resolve(self, path):
        path = str(path)
        by_segment, unsegmented = self._groups
        segment = _PATH_SEGMENT.match(path).group()
        try:
            return by_segment.get(segment, unsegmented).resolve(path)
        except Resolver404 as e:
            raise Resolver404({"tried": e.args[0].get("tried", []), "path": path}) from None
