"""The figures the services keep (inspections.tallies) equal the figures counted from the rows, after
any sequence of service calls — including refused ones and rolled-back ones, which change nothing —
and the pages that read them show what counting shows."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import local_today
from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from inspections import selectors, services, tallies
from inspections.models import Campaign, Hazard, HazardTally, InspectionPlan
from tests import factories as f

TODAY = local_today()
DAY = dt.timedelta(days=1)


@pytest.fixture
def county(db):
    beiguan = f.TownshipFactory(name="北关镇")
    chumiao = f.TownshipFactory(name="褚庙乡", county=beiguan.county)
    premises = [f.PremisesFactory(township=t) for t in (beiguan, chumiao) for _ in range(2)]
    center = f.make_user(Role.GUIDANCE_CENTER)
    # A past season, the running one and a 专项整治 inside it: most hazards count for one or two.
    for name, kind, start, end in (
        ("往年冬春", "winter_spring", 400, 250),
        ("本年冬春", "winter_spring", 120, -60),
        ("专项整治", "special", 30, -10),
    ):
        services.campaign_create(
            county=beiguan.county,
            name=name,
            kind=kind,
            starts_on=TODAY - start * DAY,
            ends_on=TODAY - end * DAY,
            by=center,
        )
    return {
        "county": beiguan.county,
        "premises": premises,
        "center": center,
        "beiguan_lead": f.make_user(Role.TOWNSHIP_LEAD, township=beiguan),
        "chumiao_lead": f.make_user(Role.TOWNSHIP_LEAD, township=chumiao),
    }


# One step of the county's work, drawn by hypothesis: (what, numbers it picks with).
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "campaign",
                "move_campaign",
                "record",
                "plan",
                "rectify",
                "verify",
                "reject",
                "extend",
                "severity",
                "refused",
                "rolled_back",
            ]
        ),
        st.integers(0, 400),
        st.integers(0, 60),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=30,
)


def _pick(items, n):
    return items[n % len(items)] if items else None


def _step(w, step, days, span, n) -> None:
    """Do one write through the services, as the county would."""
    center, premises = w["center"], w["premises"]
    county = w["county"]
    hazards = list(Hazard.objects.order_by("pk"))
    if step == "campaign":
        start = TODAY - days * DAY
        services.campaign_create(
            county=county,
            name=f"行动{Campaign.objects.count() + 1}",
            kind=_pick([Campaign.Kind.WINTER_SPRING, Campaign.Kind.SPECIAL], n),
            starts_on=start,
            ends_on=start + (span * 3 + 1) * DAY,
            by=center,
        )
    elif step == "move_campaign" and Campaign.objects.exists():
        campaign = _pick(list(Campaign.objects.order_by("pk")), n)
        if not campaign.plans.exists():
            start = TODAY - days * DAY
            services.campaign_update(
                campaign=campaign, data={"starts_on": start, "ends_on": start + span * 2 * DAY}, by=center
            )
    elif step in ("record", "plan"):
        target = _pick(premises, days + n)
        plan = None
        campaign = Campaign.objects.filter(starts_on__lte=TODAY, ends_on__gte=TODAY - span * DAY).first()
        if step == "plan" and campaign is not None:
            plan = services.inspection_plan_create(
                campaign=campaign,
                township=target.township,
                title=f"计划{InspectionPlan.objects.count() + 1}",
                due_on=campaign.ends_on,
                premises=[p for p in premises if p.township_id == target.township_id],
                by=center,
            )
        on = TODAY - days * DAY
        if plan is not None:
            on = max(on, plan.campaign.starts_on)
        services.inspection_record(
            premises=target,
            kind="township",
            inspected_on=on,
            inspectors="专干",
            plan=plan,
            hazards=[
                {
                    "severity": _pick(["general", "major"], i + n),
                    "description": "出口堵塞",
                    "deadline": on + ((span + i) % 40) * DAY,
                    "responsible_person": "王",
                }
                for i in range(n)
            ],
            by=center,
        )
    elif step == "rectify" and hazards:
        hazard = _pick([h for h in hazards if h.status in ("open", "rectifying")] or hazards, days)
        if hazard.status in ("open", "rectifying"):
            on = min(TODAY, hazard.discovered_on + (span % 30) * DAY)
            last = hazard.reinspections.order_by("-inspected_on").first()
            on = max(on, last.inspected_on) if last else on
            services.hazard_rectify(
                hazard=hazard, rectified_on=on, rectified_by="王", measures="清理", by=center
            )
    elif step in ("verify", "reject") and hazards:
        waiting = [h for h in hazards if h.status == Hazard.Status.AWAITING_VERIFICATION]
        hazard = _pick(waiting, days)
        if hazard is not None:
            done = hazard.rectifications.order_by("-id").first().rectified_on
            services.hazard_reinspect(
                hazard=hazard,
                inspected_on=min(TODAY, done + (span % 50) * DAY),
                inspectors="李",
                passed=step == "verify",
                note="" if step == "verify" else "仍有杂物",
                by=center,
            )
    elif step == "extend" and hazards:
        hazard = _pick([h for h in hazards if h.status != Hazard.Status.VERIFIED], days)
        if hazard is not None:
            services.hazard_extend_deadline(
                hazard=hazard, new_deadline=hazard.deadline + (span + 1) * DAY, reason="材料未到", by=center
            )
    elif step == "severity" and hazards:
        hazard = _pick(hazards, days)
        services.hazard_update(
            hazard=hazard, data={"severity": "general" if hazard.severity == "major" else "major"}, by=center
        )
    elif step == "refused" and hazards:
        # Another township's lead may not re-inspect nor extend: refused, nothing changes.
        hazard = _pick(hazards, days)
        stranger = w["chumiao_lead"] if hazard.township.name == "北关镇" else w["beiguan_lead"]
        with pytest.raises((AccessDenied, ApplicationError)):
            services.hazard_extend_deadline(
                hazard=hazard, new_deadline=hazard.deadline + DAY, reason="越权", by=stranger
            )
    elif step == "rolled_back":
        # A write whose transaction is rolled back (a later step of the request failed).
        with pytest.raises(RuntimeError):
            _fails_after_writing(w, days, span, max(n, 1))


@transaction.atomic
def _fails_after_writing(w, days, span, n) -> None:
    _step(w, "record", days, span, n)
    raise RuntimeError("the request failed after the write")


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_the_kept_figures_equal_the_counted_ones_after_any_sequence_of_writes(county, steps):
    with transaction.atomic():
        for step in steps:
            before = tallies.stored()
            try:
                _step(county, *step)
            except ApplicationError:
                # A rule refused the write (a date before a re-inspection, ...): nothing may change.
                assert tallies.stored() == before
            assert tallies.differences() == [], step
        transaction.set_rollback(True)  # the next example starts from the same county


@pytest.mark.django_db
def test_a_refused_write_changes_no_figure(county):
    center, lead = county["center"], county["beiguan_lead"]
    campaign = services.campaign_create(
        county=county["county"],
        name="冬春",
        kind="winter_spring",
        starts_on=TODAY - 30 * DAY,
        ends_on=TODAY + 30 * DAY,
        by=center,
    )
    chumiao_premises = county["premises"][2]
    inspection = services.inspection_record(
        premises=chumiao_premises,
        kind="township",
        inspected_on=TODAY - 5 * DAY,
        inspectors="专干",
        hazards=[
            {"severity": "major", "description": "堵塞", "deadline": TODAY - DAY, "responsible_person": "王"}
        ],
        by=center,
    )
    before = tallies.stored()
    hazard = inspection.hazards.get()
    with pytest.raises(AccessDenied):
        services.hazard_extend_deadline(hazard=hazard, new_deadline=TODAY + 9 * DAY, reason="越权", by=lead)
    with pytest.raises(AccessDenied):
        services.inspection_record(
            premises=chumiao_premises, kind="township", inspected_on=TODAY, inspectors="专干",
            hazards=[{"severity": "general", "description": "x", "deadline": TODAY, "responsible_person": "王"}],
            by=lead,
        )  # fmt: skip
    assert tallies.stored() == before
    assert tallies.differences() == []
    (row,) = selectors.campaign_hazard_figures(user=center, campaign=campaign, on=TODAY).values()
    assert (row["found"], row["open"], row["overdue"], row["major_open"]) == (1, 1, 1, 1)


@pytest.mark.django_db
def test_rebuild_figures_check_reports_every_difference_and_fails(county, capsys):
    center = county["center"]
    campaign = services.campaign_create(
        county=county["county"],
        name="冬春",
        kind="winter_spring",
        starts_on=TODAY - 30 * DAY,
        ends_on=TODAY,
        by=center,
    )
    services.inspection_record(
        premises=county["premises"][0],
        kind="township",
        inspected_on=TODAY - 2 * DAY,
        inspectors="专干",
        hazards=[
            {"severity": "general", "description": "堵塞", "deadline": TODAY, "responsible_person": "王"}
        ],
        by=center,
    )
    call_command("rebuild_figures", "--check")
    assert "一致" in capsys.readouterr().out
    HazardTally.objects.filter(campaign=campaign).update(found=7)  # a write past the services
    with pytest.raises(CommandError, match="1 处"):
        call_command("rebuild_figures", "--check")
    assert "found：记为 7，应为 1" in capsys.readouterr().out
    call_command("rebuild_figures")
    call_command("rebuild_figures", "--check")
    assert tallies.differences() == []


@pytest.mark.django_db
def test_the_pages_read_what_counting_says_for_a_running_and_a_past_campaign(county):
    center = county["center"]
    past = services.campaign_create(
        county=county["county"],
        name="往年",
        kind="winter_spring",
        starts_on=TODAY - 200 * DAY,
        ends_on=TODAY - 100 * DAY,
        by=center,
    )
    running = services.campaign_create(
        county=county["county"],
        name="本年",
        kind="winter_spring",
        starts_on=TODAY - 50 * DAY,
        ends_on=TODAY + 50 * DAY,
        by=center,
    )
    for days, deadline in ((150, 140), (120, 90), (40, 20), (10, -5)):
        services.inspection_record(
            premises=county["premises"][days % 4],
            kind="township",
            inspected_on=TODAY - days * DAY,
            inspectors="专干",
            hazards=[
                {
                    "severity": "major",
                    "description": "堵塞",
                    "deadline": TODAY - deadline * DAY,
                    "responsible_person": "王",
                }
            ],
            by=center,
        )
    first = Hazard.objects.order_by("discovered_on").first()
    services.hazard_rectify(
        hazard=first, rectified_on=TODAY - 60 * DAY, rectified_by="王", measures="清理", by=center
    )
    # Verified after the past campaign ended: open at its end, rectified in the running one's eyes.
    services.hazard_reinspect(
        hazard=first, inspected_on=TODAY - 60 * DAY, inspectors="李", passed=True, by=center
    )
    for campaign in (past, running):
        kept = selectors.hazard_figures(
            user=center, on=min(TODAY, campaign.ends_on), county_id=campaign.county_id,
            start=campaign.starts_on, end=campaign.ends_on, campaign=campaign,
        )  # fmt: skip
        counted = selectors.hazard_figures(
            user=center, on=min(TODAY, campaign.ends_on), county_id=campaign.county_id,
            start=campaign.starts_on, end=campaign.ends_on,
        )  # fmt: skip
        zero = dict.fromkeys(selectors.HAZARD_FIGURES, 0)
        assert {k: v for k, v in kept.items() if v != zero} == {k: v for k, v in counted.items() if v != zero}
    rows = selectors.campaign_hazard_figures(user=center, campaign=past, on=TODAY).values()
    # Both found in it, neither verified by its end; one deadline had passed by then.
    assert [sum(r[k] for r in rows) for k in ("found", "rectified", "overdue")] == [2, 0, 1]
