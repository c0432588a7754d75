"""What the county counts, defined once: when a hazard is rectified, open or overdue as of a day.

Every figure (hazard statistics, the dashboard, the 通报, the township and police pages), every filter
(inspections.filters) and every reminder uses these; other apps read them from inspections.selectors.
`prefix` reaches a hazard through a relation (e.g. "found_hazards__").
"""

import datetime as dt

from django.db.models import F, Q, QuerySet

from inspections.models import Hazard

VERIFIED = Hazard.Status.VERIFIED


def hazard_rectified_q(on: dt.date, prefix: str = "") -> Q:
    """Rectified as of `on`: verified (复查销号) on or before that day. Nothing else counts."""
    return Q(**{f"{prefix}status": VERIFIED, f"{prefix}verified_on__lte": on})


def hazard_open_q(on: dt.date, prefix: str = "") -> Q:
    """Open as of `on`: discovered by then and not rectified by then, whatever its step."""
    return Q(**{f"{prefix}discovered_on__lte": on}) & ~hazard_rectified_q(on, prefix)


def hazard_overdue_q(on: dt.date, prefix: str = "") -> Q:
    """Overdue as of `on`: open, and its deadline is before that day."""
    return hazard_open_q(on, prefix) & Q(**{f"{prefix}deadline__lt": on})


def hazard_verified_late_q(prefix: str = "") -> Q:
    """Verified after its deadline (not on time). Not verified yet: neither late nor on time."""
    return Q(**{f"{prefix}verified_on__gt": F(f"{prefix}deadline")})


def checklist_item_applies(item, category: str) -> bool:
    """A checklist item is asked of a premises of `category` when it names that category or names
    none (a common item). inspections.selectors.checklist_items_for and the services read this."""
    return not item.premises_categories or category in item.premises_categories


def checklist_items_applying(items: QuerySet, category: str) -> QuerySet:
    """Those of `items` asked of a premises of `category`, as a queryset (the checklist is a few dozen
    rows: read here, portably, rather than by a JSON lookup SQLite lacks)."""
    return items.filter(pk__in=[item.pk for item in items if checklist_item_applies(item, category)])
