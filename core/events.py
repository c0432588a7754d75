"""Domain events: a service announces what happened ("hazards found", "assignment issued"), and apps
higher up (the reminders) subscribe. The lower layers announce without importing the upper ones.

Subscribers run inside the publisher's transaction: what they write is kept or rolled back with the
write that caused it, so a refused or rolled-back write notifies nobody. Anything that leaves the
database (a message to a phone) is queued by the subscriber with transaction.on_commit.
"""

from collections import defaultdict
from collections.abc import Callable

HAZARDS_FOUND = "hazards_found"  # hazards=[Hazard], by=user|None
RECTIFICATION_SUBMITTED = "rectification_submitted"  # rectification=Rectification, by
REINSPECTION_FAILED = "reinspection_failed"  # reinspection=Reinspection, by
ASSIGNMENTS_ISSUED = "assignments_issued"  # assignments=[Assignment], by
ASSIGNMENT_DEADLINE_CHANGED = "assignment_deadline_changed"  # assignment=Assignment, by

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    """Register `handler(**payload)` for `event`; registering the same handler twice keeps one."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(event: str, **payload) -> None:
    for handler in list(_subscribers[event]):
        handler(**payload)
