"""The county's hazard and plan figures, kept as they change (with firebrigade.tallies, a brigade's
staff and vehicles, `rebuild` and `differences` cover every figure the services keep).

The services call these inside the transaction of every write that changes a figure (not signals:
a write that bypasses the services must call `rebuild`): a hazard found, verified, given a new
deadline or severity, a campaign opened or moved, a plan's premises set, an inspection under a
plan. `rebuild` recomputes every figure from the hazards, plans and inspections themselves (the
definitions of inspections.definitions); `manage.py rebuild_figures --check` compares the two.

A hazard counts for every campaign of its county that has not ended before it was found: as found
(within the campaign's dates) or as carried (found before the campaign began). Against a
campaign it is rectified when verified on or before the campaign's last day. See HazardTally.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from firebrigade import tallies as brigade_tallies
from inspections.definitions import hazard_overdue_q, hazard_rectified_q, hazard_verified_late_q
from inspections.models import Campaign, Hazard, HazardDeadlineTally, HazardTally, Inspection, InspectionPlan
from townships.models import Township

TALLY_FIELDS = (
    "found", "major", "rectified", "major_rectified", "rectified_late", "carried_open", "overdue_at_end",
)  # fmt: skip


@dataclass(frozen=True)
class HazardState:
    """What of a hazard the figures depend on, at one moment (before or after a write)."""

    township_id: int
    discovered_on: dt.date
    deadline: dt.date
    major: bool
    verified_on: dt.date | None

    @classmethod
    def of(cls, hazard: Hazard) -> "HazardState":
        verified = hazard.status == Hazard.Status.VERIFIED
        return cls(
            township_id=hazard.township_id,
            discovered_on=hazard.discovered_on,
            deadline=hazard.deadline,
            major=hazard.severity == Hazard.Severity.MAJOR,
            verified_on=hazard.verified_on if verified else None,
        )


class Changes:
    """The sum of what some writes change in the tallies; `save()` applies it in two statements."""

    def __init__(self):
        self.tallies: dict[tuple[int, int], Counter] = defaultdict(Counter)
        self.deadlines: Counter = Counter()

    def hazard(self, state: HazardState | None, sign: int, campaigns: Iterable[Campaign]) -> None:
        """Add (sign 1) or take away (sign -1) what a hazard in `state` counts for `campaigns`."""
        if state is None:
            return
        for campaign in campaigns:
            if campaign.ends_on < state.discovered_on:
                continue  # over before the hazard was found
            rectified = state.verified_on is not None and state.verified_on <= campaign.ends_on
            counts = self.tallies[state.township_id, campaign.pk]
            if state.discovered_on < campaign.starts_on:
                counts["carried_open"] += sign * (not rectified)
                continue
            counts["found"] += sign
            counts["major"] += sign * state.major
            counts["rectified"] += sign * rectified
            counts["major_rectified"] += sign * (rectified and state.major)
            counts["rectified_late"] += sign * (rectified and state.verified_on > state.deadline)
            counts["overdue_at_end"] += sign * (not rectified and state.deadline < campaign.ends_on)
            if not rectified:
                self.deadlines[state.township_id, campaign.pk, state.deadline] += sign

    def save(self) -> None:
        tally_rows = [
            (township_id, campaign_id, *(counts[name] for name in TALLY_FIELDS))
            for (township_id, campaign_id), counts in self.tallies.items()
            if any(counts.values())
        ]
        deadline_rows = [(*key, n) for key, n in self.deadlines.items() if n]
        _add(HazardTally, ("township_id", "campaign_id"), TALLY_FIELDS, tally_rows)
        _add(HazardDeadlineTally, ("township_id", "campaign_id", "deadline"), ("open",), deadline_rows)


def _add(model, keys: tuple[str, ...], fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Add `rows` (keys, then counts) to the model's counters, creating missing rows: one statement
    (INSERT … ON CONFLICT DO UPDATE, in PostgreSQL and SQLite), so concurrent writers add up."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in (*keys, *fields))
    conflict = ", ".join(connection.ops.quote_name(k) for k in keys)
    sums = ", ".join(
        f"{connection.ops.quote_name(f)} = {table}.{connection.ops.quote_name(f)} + excluded.{connection.ops.quote_name(f)}"
        for f in fields
    )
    width = len(keys) + len(fields)
    values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608 - names from our models, values bound
            f"ON CONFLICT ({conflict}) DO UPDATE SET {sums}",
            [value for row in sorted(rows) for value in row],
        )


def campaigns_of(township_ids: Iterable[int]) -> dict[int, list[Campaign]]:
    """Township id -> the campaigns of its county, by id (the order locks are taken in)."""
    township_ids = set(township_ids)
    county_of = dict(Township.objects.filter(pk__in=township_ids).values_list("pk", "county_id"))
    campaigns = Campaign.objects.filter(county_id__in=set(county_of.values())).order_by("pk")
    by_county: dict[int, list[Campaign]] = defaultdict(list)
    for campaign in campaigns.only("pk", "county_id", "starts_on", "ends_on"):
        by_county[campaign.county_id].append(campaign)
    return {township_id: by_county[county_id] for township_id, county_id in county_of.items()}


def hazards_changed(pairs: Iterable[tuple[HazardState | None, HazardState | None]]) -> None:
    """Apply what each (before, after) pair of one hazard changes (None: it did not / no longer
    exists). Two queries and two statements whatever the number of hazards."""
    pairs = [(before, after) for before, after in pairs if before != after]
    if not pairs:
        return
    campaigns = campaigns_of(s.township_id for pair in pairs for s in pair if s is not None)
    changes = Changes()
    for before, after in pairs:
        if before is not None:
            changes.hazard(before, -1, campaigns[before.township_id])
        if after is not None:
            changes.hazard(after, 1, campaigns[after.township_id])
    changes.save()


# --- plans -------------------------------------------------------------------------------------


def plan_recount(plan_ids: Iterable[int]) -> None:
    """Set planned_count (premises listed) and inspected_count (premises inspected under the plan)
    of these plans from their rows. Two statements."""
    plan_ids = list(plan_ids)
    planned = _counts(
        InspectionPlan.premises.through.objects.filter(inspectionplan_id__in=plan_ids),
        "inspectionplan_id",
        "premises_id",
    )
    inspected = _counts(Inspection.objects.filter(plan_id__in=plan_ids), "plan_id", "premises_id")
    plans = list(InspectionPlan.objects.filter(pk__in=plan_ids).only("pk"))
    for plan in plans:
        plan.planned_count, plan.inspected_count = planned.get(plan.pk, 0), inspected.get(plan.pk, 0)
    InspectionPlan.objects.bulk_update(plans, ["planned_count", "inspected_count"])


def _counts(queryset, group: str, distinct: str) -> dict[int, int]:
    rows = queryset.order_by().values(group).annotate(n=Count(distinct, distinct=True))
    return {row[group]: row["n"] for row in rows}


# --- recomputing everything ---------------------------------------------------------------------


def expected(campaigns: Iterable[Campaign] | None = None) -> tuple[dict, dict]:
    """The tallies as the hazards say they should be, for `campaigns` (default all): ({(township,
    campaign): {field: n}}, {(township, campaign, deadline): n}), zero rows left out. A few
    aggregate queries per campaign."""
    tallies: dict[tuple[int, int], dict] = {}
    deadlines: dict[tuple[int, int, dt.date], int] = {}
    for campaign in campaigns if campaigns is not None else Campaign.objects.order_by("pk"):
        county = Hazard.objects.filter(township__county_id=campaign.county_id)
        done = hazard_rectified_q(campaign.ends_on)
        major = Q(severity=Hazard.Severity.MAJOR)
        found = county.filter(discovered_on__gte=campaign.starts_on, discovered_on__lte=campaign.ends_on)
        rows = (
            found.order_by()
            .values("township_id")
            .annotate(
                found=Count("pk"),
                major=Count("pk", filter=major),
                rectified=Count("pk", filter=done),
                major_rectified=Count("pk", filter=done & major),
                rectified_late=Count("pk", filter=done & hazard_verified_late_q()),
                overdue_at_end=Count("pk", filter=hazard_overdue_q(campaign.ends_on)),
            )
        )
        for row in rows:
            tallies[row["township_id"], campaign.pk] = {name: row.get(name, 0) for name in TALLY_FIELDS}
        carried = (
            county.filter(discovered_on__lt=campaign.starts_on)
            .exclude(done)
            .order_by()
            .values("township_id")
            .annotate(n=Count("pk"))
        )
        for row in carried:
            key = (row["township_id"], campaign.pk)
            tallies.setdefault(key, dict.fromkeys(TALLY_FIELDS, 0))["carried_open"] = row["n"]
        for row in found.exclude(done).order_by().values("township_id", "deadline").annotate(n=Count("pk")):
            deadlines[row["township_id"], campaign.pk, row["deadline"]] = row["n"]
    return (
        {key: counts for key, counts in tallies.items() if any(counts.values())},
        deadlines,
    )


def stored(campaigns: Iterable[Campaign] | None = None) -> tuple[dict, dict]:
    """The tallies as kept, in the shape of `expected` (zero rows left out)."""
    tally_rows = HazardTally.objects.all()
    deadline_rows = HazardDeadlineTally.objects.all()
    if campaigns is not None:
        ids = [c.pk for c in campaigns]
        tally_rows, deadline_rows = (
            tally_rows.filter(campaign_id__in=ids),
            deadline_rows.filter(campaign_id__in=ids),
        )
    tallies = {}
    for row in tally_rows.values("township_id", "campaign_id", *TALLY_FIELDS):
        counts = {name: row[name] for name in TALLY_FIELDS}
        if any(counts.values()):
            tallies[row["township_id"], row["campaign_id"]] = counts
    deadlines = {
        (row["township_id"], row["campaign_id"], row["deadline"]): row["open"]
        for row in deadline_rows.exclude(open=0).values("township_id", "campaign_id", "deadline", "open")
    }
    return tallies, deadlines


def plan_differences() -> list[str]:
    """Plans whose kept counts differ from their rows."""
    planned = _counts(InspectionPlan.premises.through.objects.all(), "inspectionplan_id", "premises_id")
    inspected = _counts(Inspection.objects.exclude(plan=None), "plan_id", "premises_id")
    lines = []
    for pk, kept_planned, kept_inspected in InspectionPlan.objects.values_list(
        "pk", "planned_count", "inspected_count"
    ):
        want = (planned.get(pk, 0), inspected.get(pk, 0))
        if (kept_planned, kept_inspected) != want:
            lines.append(
                _("检查计划 %(plan)s：计划/已检查 记为 %(kept)s，应为 %(want)s")
                % {"plan": pk, "kept": f"{kept_planned}/{kept_inspected}", "want": f"{want[0]}/{want[1]}"}
            )
    return lines


def differences() -> list[str]:
    """Every figure kept that differs from what the rows say, one line each (empty: all agree)."""
    want_tallies, want_deadlines = expected()
    have_tallies, have_deadlines = stored()
    lines = []
    zero = dict.fromkeys(TALLY_FIELDS, 0)
    for key in sorted(set(want_tallies) | set(have_tallies)):
        want, have = want_tallies.get(key, zero), have_tallies.get(key, zero)
        for name in TALLY_FIELDS:
            if want[name] != have[name]:
                lines.append(
                    _("隐患统计 乡镇 %(township)s 行动 %(campaign)s %(name)s：记为 %(kept)s，应为 %(want)s")
                    % {
                        "township": key[0],
                        "campaign": key[1],
                        "name": name,
                        "kept": have[name],
                        "want": want[name],
                    }
                )
    for key in sorted(set(want_deadlines) | set(have_deadlines)):
        want, have = want_deadlines.get(key, 0), have_deadlines.get(key, 0)
        if want != have:
            lines.append(
                _(
                    "隐患期限统计 乡镇 %(township)s 行动 %(campaign)s 期限 %(deadline)s：记为 %(kept)s，应为 %(want)s"
                )
                % {"township": key[0], "campaign": key[1], "deadline": key[2], "kept": have, "want": want}
            )
    return lines + plan_differences() + brigade_tallies.differences()


def rebuild(campaigns: Iterable[Campaign] | None = None) -> None:
    """Recompute the tallies of `campaigns` (default: all, and every plan's counts) from the rows."""
    campaigns = list(campaigns) if campaigns is not None else None
    tallies, deadlines = expected(campaigns)
    old_tallies, old_deadlines = HazardTally.objects.all(), HazardDeadlineTally.objects.all()
    if campaigns is not None:
        ids = [c.pk for c in campaigns]
        old_tallies, old_deadlines = (
            old_tallies.filter(campaign_id__in=ids),
            old_deadlines.filter(campaign_id__in=ids),
        )
    old_tallies.delete()
    old_deadlines.delete()
    HazardTally.objects.bulk_create(
        HazardTally(township_id=t, campaign_id=c, **counts) for (t, c), counts in tallies.items()
    )
    HazardDeadlineTally.objects.bulk_create(
        HazardDeadlineTally(township_id=t, campaign_id=c, deadline=d, open=n)
        for (t, c, d), n in deadlines.items()
    )
    if campaigns is None:
        plan_recount(InspectionPlan.objects.values_list("pk", flat=True))
        brigade_tallies.recount()
