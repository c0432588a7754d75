"""The demo county loaded on three days of the year — in November, in March and in August — is one
coherent present: a current season with data in every township, and nothing claimed later than a
season. The county's clock (core.clock) is frozen at each day while the demo is loaded and read.

What a county fire office expects on each: in November and March the season running (11-01 to
04-30) is the current campaign; in August it is the season just over (campaign_pick_current: the
latest that has started), seen as of its last day, until the next starts on 11-01."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.clock import county_tz, local_today
from core.models import Notification, UserProfile
from demo.county import season_meeting_title, season_name, season_of
from demo.loader import demo_load
from firebrigade.models import EquipmentItem, FireIncident, FundingAllocation
from inspections.models import Campaign, Hazard, Inspection, InspectionPlan
from inspections.selectors import campaign_current, hazard_overdue_q
from leaders.figures import campaign_period, township_figures
from meetings.models import Assignment, Meeting
from meetings.selectors import assignment_overdue_q
from notifications.services import reminders_run
from townships.models import County, Premises, Township

# More than this many days late is more than a season: no figure of the demo may claim it.
A_SEASON = 183

DAYS = [dt.date(2025, 11, 20), dt.date(2026, 3, 15), dt.date(2026, 8, 12)]


def _freeze(patch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Set the county's clock to 10:00 on `day`: timezone.now is what core.clock and every service
    read, so the demo is made, and the selectors and reminders read it, as on that day."""
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=county_tz())
    patch.setattr(timezone, "now", lambda: moment)
    assert local_today() == day


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """The demo loaded in mid-2022, when no later season had begun: the county, the 2021 history and
    the accounts. It does not depend on the day, so it is loaded once for the three days."""
    from tests.conftest import _flush

    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        _freeze(patch, dt.date(2022, 6, 1))
        assert "season" not in demo_load()
        yield
        _flush()


@pytest.fixture(scope="module", params=DAYS, ids=lambda day: day.isoformat())
def demo_on(request, history, django_db_blocker):
    """`load_demo` run on the day (which adds that day's season, as a fresh load does after the
    history), the clock kept frozen while the module's tests read it; rolled back afterwards."""
    day = request.param
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        _freeze(patch, day)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield day, demo_load()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _official():
    return get_user_model().objects.get(username="county")


@pytest.mark.django_db
def test_loading_the_demo_again_on_the_same_day_adds_nothing(demo_on):
    _, created = demo_on
    assert created["season"] == 1
    assert sum(demo_load().values()) == 0


@pytest.mark.django_db
def test_a_demo_database_from_before_the_seasons_meeting_gains_it_and_keeps_its_campaign(demo_on):
    """What `make run` meets in a demo database made earlier in the season by an older load_demo:
    the campaign is there, the season's 推进会 is not."""
    day, _ = demo_on
    if day.month != 3:
        pytest.skip("one day is enough for the upgrade path")
    title = season_meeting_title(season_of(day)[0])
    Meeting.objects.get(title=title).delete()  # with its directives, assignments and reports
    counts = (Campaign.objects.count(), Inspection.objects.count(), FireIncident.objects.count())
    assert demo_load()["season"] == 1
    assert (Campaign.objects.count(), Inspection.objects.count(), FireIncident.objects.count()) == counts
    meeting = Meeting.objects.get(title=title)
    assert set(Assignment.objects.filter(directive__meeting=meeting).values_list("status", flat=True)) == set(
        Assignment.Status.values
    )
    assert sum(demo_load().values()) == 0


@pytest.mark.django_db
def test_no_figure_of_the_demo_claims_more_than_a_season_late(demo_on):
    day, _ = demo_on
    lateness = {
        "hazard": [
            (day - d).days
            for d in Hazard.objects.filter(hazard_overdue_q(day)).values_list("deadline", flat=True)
        ],
        "assignment": [
            (day - d).days
            for d in Assignment.objects.filter(assignment_overdue_q(day)).values_list("deadline", flat=True)
        ],
        "maintenance": [
            (day - d).days
            for d in EquipmentItem.objects.exclude(condition="scrapped").values_list(
                "next_maintenance_on", flat=True
            )
        ],
        "inspection": [
            (day - d).days for d in Premises.objects.values_list("next_inspection_due", flat=True)
        ],
        "plan": [
            (day - d).days
            for d in InspectionPlan.objects.filter(campaign__ends_on__gte=day).values_list(
                "due_on", flat=True
            )
        ],
    }
    assert lateness["hazard"], "the demo has overdue hazards to remind of"
    for what, days in lateness.items():
        assert max(days, default=0) <= A_SEASON, what
    # Some maintenance is due or a little late, most is not: a spread, not one date.
    assert min(lateness["maintenance"]) < -30 < 0 <= max(lateness["maintenance"])


@pytest.mark.django_db
def test_no_reminder_of_the_demo_claims_more_than_a_season_late(demo_on):
    day, _ = demo_on
    assert sum(reminders_run(on=day).values()) > 0
    oldest = day - dt.timedelta(days=A_SEASON)
    for title, text in Notification.objects.values_list("title", "text"):
        message = title + text
        for late in re.findall(r"逾期\s*(\d+)\s*天", message):
            assert int(late) <= A_SEASON, message
        for date in re.findall(r"\d{4}-\d{2}-\d{2}", message):
            assert dt.date.fromisoformat(date) >= oldest, message
    # Escalation reaches somebody in every township that has a hazard to escalate.
    escalated = set(
        Notification.objects.filter(rule="hazard_escalate_township").values_list(
            "recipient__profile__township", flat=True
        )
    )
    if day.month != 11:  # early in the season nothing is a week overdue yet
        assert escalated
    for township_id in Hazard.objects.filter(
        hazard_overdue_q(day), deadline__lte=day - dt.timedelta(days=7)
    ).values_list("township", flat=True):
        assert township_id in escalated


@pytest.mark.django_db
def test_no_page_the_county_reads_claims_more_than_a_season_late(demo_on, client):
    """The 通报 once listed the 2021 tasks 逾期1798天 and the inbox hazards 逾期1797天."""
    day, _ = demo_on
    reminders_run(on=day)
    client.force_login(_official())
    beiguan = Township.objects.get(name="北关镇")
    found = []
    for url in [
        "/dashboard/",
        "/reports/bulletin/",
        "/notifications/",
        "/meetings/",
        f"/townships/{beiguan.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        claims = [int(late) for late in re.findall(r"逾期\s*(\d+)\s*天", response.content.decode())]
        assert max(claims, default=0) <= A_SEASON, url
        found += claims
    if day.month == 3:  # mid-season the 通报 and the inbox do list what is late
        assert found


@pytest.mark.django_db
def test_every_township_has_data_of_the_current_season(demo_on):
    day, _ = demo_on
    county = County.objects.get(name="民权县")
    campaign = campaign_current(on=day, county_id=county.pk)
    starts_on, ends_on = season_of(day)
    # The current campaign is the season running, or (from May to October) the one just over.
    assert (campaign.name, campaign.starts_on, campaign.ends_on) == (
        season_name(starts_on),
        starts_on,
        ends_on,
    )
    assert (campaign.ends_on < day) == (day.month == 8)
    rows = township_figures(user=_official(), period=campaign_period(campaign, today=day))
    assert len(rows) == county.townships.count()
    for row in rows:
        assert row.allocated > 0, row.name
        assert row.funding_ratio is not None, row.name
        assert row.planned > 0, row.name
        assert row.inspected > 0, row.name
        assert row.assignments > 0, row.name
        assert row.hazards_carried_open == 0 or day.month == 11, row.name  # 2021 is closed
    assert FundingAllocation.objects.filter(year=day.year, township__county=county).count() >= 3 * len(rows)
    # The county's hazards and the season's tasks in every state.
    assert set(Hazard.objects.filter(discovered_on__gte=starts_on).values_list("status", flat=True)) == set(
        Hazard.Status.values
    )
    season_tasks = Assignment.objects.filter(directive__meeting__held_at__date__gte=starts_on)
    assert set(season_tasks.values_list("status", flat=True)) == set(Assignment.Status.values)
    # Every township has its principal leader (主要领导) among the demo accounts.
    leaders = UserProfile.objects.filter(is_principal_leader=True, user__is_active=True)
    assert set(leaders.values_list("township", flat=True)) == set(
        county.townships.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_the_2021_meeting_is_history_whose_tasks_were_all_closed_some_late(demo_on):
    tasks = Assignment.objects.filter(directive__meeting__held_at__year=2021)
    assert tasks.count() > 0
    assert set(tasks.values_list("status", flat=True)) == {Assignment.Status.CLOSED}
    late = [a for a in tasks if a.closed_on > a.deadline]
    assert 0 < len(late) < tasks.count()
    hazards = Hazard.objects.filter(discovered_on__lt=dt.date(2022, 5, 1))
    assert set(hazards.values_list("status", flat=True)) == {Hazard.Status.VERIFIED}
    assert any(h.verified_on > h.deadline for h in hazards)
