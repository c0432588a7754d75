import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Role
from inspections import selectors, services
from inspections.models import Hazard, Inspection
from tests.factories import FireIncidentFactory, GridFactory, PremisesFactory, UserFactory, make_user
from tests.inspections.factories import hazard_data, record_inspection

pytestmark = pytest.mark.django_db

S = Hazard.Status
D = dt.date


@pytest.fixture
def admin_user():
    return UserFactory(username="center", is_superuser=True, is_staff=True)


def _hazard(premises, *, found, deadline, severity=Hazard.Severity.GENERAL, plan=None):
    inspection = record_inspection(
        premises=premises,
        inspected_on=found,
        plan=plan,
        hazards=[hazard_data(deadline=deadline, severity=severity)],
    )
    return inspection.hazards.get()


def _verify(hazard, *, rectified_on, verified_on):
    services.hazard_rectify(hazard=hazard, rectified_on=rectified_on, rectified_by="王老板", measures="整改")
    services.hazard_reinspect(hazard=hazard, inspected_on=verified_on, inspectors="赵专干", passed=True)


# --- plan progress -------------------------------------------------------------------------


@pytest.fixture
def plans(campaign, township, other_township):
    ps = [PremisesFactory(township=township, name=f"褚庙单位{i}") for i in range(3)]
    qs = [PremisesFactory(township=other_township, name=f"北关单位{i}") for i in range(2)]
    plan_a = services.inspection_plan_create(
        campaign=campaign, township=township, title="褚庙乡计划", due_on=D(2021, 12, 31), premises=ps
    )
    plan_b = services.inspection_plan_create(
        campaign=campaign, township=other_township, title="北关镇计划", due_on=D(2021, 12, 31), premises=qs
    )
    record_inspection(premises=ps[0], plan=plan_a, hazards=[])
    record_inspection(premises=ps[0], plan=plan_a, inspected_on=D(2021, 12, 1), hazards=[])  # same premises
    record_inspection(premises=ps[1], plan=plan_a, hazards=[])
    record_inspection(premises=ps[2], hazards=[])  # not linked to the plan: does not count
    return plan_a, plan_b


def test_plan_progress_counts_distinct_inspected_premises_per_plan(plans, campaign, admin_user):
    plan_a, plan_b = plans
    rows = {p.pk: p for p in selectors.plan_progress(user=admin_user, campaign=campaign)}
    assert (rows[plan_a.pk].planned_count, rows[plan_a.pk].inspected_count) == (3, 2)
    assert rows[plan_a.pk].percent == Decimal("66.7")
    assert (rows[plan_b.pk].planned_count, rows[plan_b.pk].inspected_count) == (2, 0)
    assert rows[plan_b.pk].percent == Decimal("0.0")


def test_plan_progress_shows_a_township_lead_only_their_township(plans, campaign, township):
    lead = make_user(Role.TOWNSHIP_LEAD, township=township)
    assert [p.title for p in selectors.plan_progress(user=lead, campaign=campaign)] == ["褚庙乡计划"]


# --- hazard statistics ---------------------------------------------------------------------


@pytest.fixture
def hazard_dataset(township, other_township):
    p = PremisesFactory(township=township, name="褚庙供销社")
    h1 = _hazard(p, found=D(2021, 11, 20), deadline=D(2021, 11, 27))
    _verify(h1, rectified_on=D(2021, 11, 24), verified_on=D(2021, 11, 25))
    h2 = _hazard(p, found=D(2021, 11, 20), deadline=D(2021, 11, 27), severity=Hazard.Severity.MAJOR)
    h3 = _hazard(p, found=D(2021, 12, 1), deadline=D(2022, 2, 1))
    services.hazard_start_rectifying(hazard=h3)
    h4 = _hazard(p, found=D(2021, 11, 20), deadline=D(2021, 11, 27))
    _verify(h4, rectified_on=D(2022, 1, 14), verified_on=D(2022, 1, 15))  # verified late, after `on`
    h5 = _hazard(p, found=D(2021, 10, 15), deadline=D(2021, 10, 20))  # before the campaign
    h6 = _hazard(p, found=D(2022, 1, 20), deadline=D(2022, 1, 30))  # after `on`
    return {"h1": h1, "h2": h2, "h3": h3, "h4": h4, "h5": h5, "h6": h6, "premises": p}


def _stats_row(rows, township):
    row = next(r for r in rows if r.pk == township.pk)
    return {
        k: getattr(row, k) for k in ("found", "rectified", "open", "overdue", "major", "major_open", "rate")
    }


def test_hazard_stats_per_township_within_a_campaign_as_of_a_date(
    hazard_dataset, campaign, township, other_township, admin_user
):
    rows = list(selectors.hazard_stats(user=admin_user, campaign=campaign, on=D(2022, 1, 10)))
    assert _stats_row(rows, township) == {
        "found": 4,
        "rectified": 1,
        "open": 3,
        "overdue": 2,
        "major": 1,
        "major_open": 1,
        "rate": Decimal("25.0"),
    }
    assert _stats_row(rows, other_township) == {
        "found": 0,
        "rectified": 0,
        "open": 0,
        "overdue": 0,
        "major": 0,
        "major_open": 0,
        "rate": None,
    }


def test_hazard_stats_without_campaign_and_limited_to_townships(hazard_dataset, township, admin_user):
    rows = list(selectors.hazard_stats(user=admin_user, township_ids=[township.pk], on=D(2022, 1, 10)))
    assert [r.pk for r in rows] == [township.pk]
    assert _stats_row(rows, township) == {
        "found": 5,
        "rectified": 1,
        "open": 4,
        "overdue": 3,
        "major": 1,
        "major_open": 1,
        "rate": Decimal("20.0"),
    }


def test_hazard_stats_later_counts_the_late_verification_as_rectified(
    hazard_dataset, campaign, township, admin_user
):
    row = _stats_row(
        list(selectors.hazard_stats(user=admin_user, campaign=campaign, on=D(2022, 3, 1))), township
    )
    assert (row["found"], row["rectified"], row["open"], row["overdue"]) == (5, 2, 3, 3)


def test_hazard_stats_is_scoped_to_the_users_township(hazard_dataset, other_township):
    lead = make_user(Role.TOWNSHIP_LEAD, township=other_township)
    assert [r.pk for r in selectors.hazard_stats(user=lead, on=D(2022, 1, 10))] == [other_township.pk]


# --- lists ---------------------------------------------------------------------------------


def test_hazard_list_filters(hazard_dataset, campaign, township, other_township, admin_user):
    h = hazard_dataset
    other = _hazard(
        PremisesFactory(township=other_township, name="北关仓库"),
        found=D(2021, 11, 21),
        deadline=D(2021, 11, 30),
    )

    def ids(**filters):
        return {x.pk for x in selectors.hazard_list(user=admin_user, filters=filters)}

    in_township = {h[k].pk for k in ("h1", "h2", "h3", "h4", "h5", "h6")}
    assert ids() == in_township | {other.pk}
    assert ids(township=township.pk) == in_township
    assert ids(grid=h["premises"].grid_id) == in_township
    assert ids(grid=GridFactory(township=township).pk) == set()
    assert ids(campaign=campaign) == in_township - {h["h5"].pk} | {other.pk}
    assert ids(campaign=campaign.pk, township=township) == in_township - {h["h5"].pk}
    assert ids(status=S.VERIFIED) == {h["h1"].pk, h["h4"].pk}
    assert ids(status=[S.RECTIFYING, S.VERIFIED]) == {h["h1"].pk, h["h3"].pk, h["h4"].pk}
    assert ids(severity=Hazard.Severity.MAJOR) == {h["h2"].pk}
    # Every deadline here is long past today: overdue = not verified.
    assert ids(overdue=True) == in_township - {h["h1"].pk, h["h4"].pk} | {other.pk}
    assert ids(overdue="false") == {h["h1"].pk, h["h4"].pk}
    assert ids(discovered_on_after=D(2021, 11, 21), discovered_on_before=D(2021, 12, 31)) == {
        h["h3"].pk,
        other.pk,
    }
    rows = {x.pk: x for x in selectors.hazard_list(user=admin_user)}
    assert rows[h["h4"].pk].verified_late
    assert not rows[h["h1"].pk].verified_late
    assert rows[h["h2"].pk].is_overdue
    assert not rows[h["h1"].pk].is_overdue


def test_hazard_list_overdue_is_judged_on_todays_local_date(premises, admin_user):
    today = timezone.localdate()
    due_today = _hazard(premises, found=today, deadline=today)
    assert (
        not selectors.hazard_list(user=admin_user, filters={"overdue": True}).filter(pk=due_today.pk).exists()
    )


def test_hazard_list_is_scoped_to_the_users_township_and_premises(hazard_dataset, township, other_township):
    lead = make_user(Role.TOWNSHIP_LEAD, township=other_township)
    assert not selectors.hazard_list(user=lead).exists()
    own = make_user(Role.PREMISES_RESPONSIBLE, premises=hazard_dataset["premises"])
    assert selectors.hazard_list(user=own).count() == 6
    neighbour = make_user(Role.PREMISES_RESPONSIBLE, premises=PremisesFactory(township=township))
    assert not selectors.hazard_list(user=neighbour).exists()


def test_inspection_list_filters_and_counts_hazards(plans, campaign, hazard_dataset, station, admin_user):
    plan_a, _ = plans
    police = record_inspection(
        premises=hazard_dataset["premises"],
        kind=Inspection.Kind.POLICE,
        police_station=station,
        inspected_on=D(2022, 5, 3),  # after the campaign
        hazards=[hazard_data(deadline=D(2022, 5, 10)), hazard_data(deadline=D(2022, 5, 10))],
    )

    def ids(**filters):
        return {x.pk for x in selectors.inspection_list(user=admin_user, filters=filters)}

    assert ids(plan=plan_a.pk) == set(plan_a.inspections.values_list("pk", flat=True))
    assert ids(kind=Inspection.Kind.POLICE) == {police.pk}
    assert ids(police_station=station) == {police.pk}
    assert police.pk not in ids(campaign=campaign)
    assert ids(inspected_on_after=D(2022, 5, 1)) == {police.pk}
    assert ids(premises=hazard_dataset["premises"].pk, inspected_on_before=D(2021, 11, 30)) == set(
        Inspection.objects.filter(
            premises=hazard_dataset["premises"], inspected_on__lte=D(2021, 11, 30)
        ).values_list("pk", flat=True)
    )
    row = selectors.inspection_list(user=admin_user, filters={"kind": "police"}).get()
    assert (row.hazard_count, row.open_hazard_count) == (2, 2)


# --- trace-back ----------------------------------------------------------------------------


def test_premises_trace_shows_every_step_and_who_did_it(premises, user):
    inspector = make_user(Role.GUIDANCE_CENTER, username="inspector")
    inspection = record_inspection(
        premises=premises, by=user, hazards=[hazard_data(deadline=D(2021, 11, 27))]
    )
    hazard = inspection.hazards.get()
    services.hazard_extend_deadline(
        hazard=hazard, new_deadline=D(2021, 12, 5), reason="线路需整体更换", by=user
    )
    services.hazard_start_rectifying(hazard=hazard, by=user)
    services.hazard_rectify(
        hazard=hazard, rectified_on=D(2021, 11, 30), rectified_by="王老板", measures="更换", by=user
    )
    services.hazard_reinspect(
        hazard=hazard,
        inspected_on=D(2021, 12, 2),
        inspectors="赵专干",
        passed=False,
        note="未接地",
        by=inspector,
    )
    services.hazard_rectify(
        hazard=hazard, rectified_on=D(2021, 12, 8), rectified_by="王老板", measures="接地", by=user
    )
    services.hazard_reinspect(
        hazard=hazard, inspected_on=D(2021, 12, 10), inspectors="赵专干", passed=True, by=inspector
    )
    services.accountability_record(
        township=premises.township,
        premises=premises,
        hazard=hazard,
        person="王老板",
        unit=premises.name,
        finding="逾期整改",
        sanction="警告",
        decided_by="县消防工作办公室",
        decided_on=D(2021, 12, 20),
    )
    still_open = _hazard(premises, found=D(2021, 12, 15), deadline=D(2021, 12, 20))

    trace = selectors.premises_trace(premises=premises, on=D(2022, 1, 1))

    assert [i.pk for i in trace.inspections] == [inspection.pk, still_open.inspection_id]
    assert trace.inspections[0].recorded_by == user
    traced = {h.pk: h for h in trace.hazards}
    assert traced[hazard.pk].verified_late  # verified 12-10, deadline 12-05
    assert not traced[hazard.pk].is_overdue
    assert traced[still_open.pk].is_overdue
    assert trace.overdue_hazards == [traced[still_open.pk]]
    assert [r.submitted_by for r in traced[hazard.pk].rectifications.all()] == [user, user]
    assert [(r.passed, r.recorded_by) for r in traced[hazard.pk].reinspections.all()] == [
        (False, inspector),
        (True, inspector),
    ]
    dated = [(e.date, e.kind) for e in trace.events if e.kind not in ("started", "deadline_extended")]
    assert dated == [
        (D(2021, 11, 20), "inspection"),
        (D(2021, 11, 20), "hazard"),
        (D(2021, 11, 30), "rectification"),
        (D(2021, 12, 2), "reinspection"),
        (D(2021, 12, 8), "rectification"),
        (D(2021, 12, 10), "reinspection"),
        (D(2021, 12, 15), "inspection"),
        (D(2021, 12, 15), "hazard"),
        (D(2021, 12, 20), "accountability"),
    ]
    assert [e.date for e in trace.events] == sorted(e.date for e in trace.events)
    from_history = [e for e in trace.events if e.kind in ("started", "deadline_extended")]
    assert {(e.kind, e.user) for e in from_history} == {("started", user), ("deadline_extended", user)}
    extended = next(e for e in from_history if e.kind == "deadline_extended")
    assert "线路需整体更换" in extended.title
    assert "2021年12月5日" in extended.title


# --- fixed query counts --------------------------------------------------------------------


def _grow(premises_list, plan, n):
    """n inspections per premises, each with a hazard that went round the loop once and failed."""
    for p in premises_list:
        for i in range(n):
            hazard = _hazard(p, found=D(2021, 11, 20 + i), deadline=D(2021, 12, 31), plan=plan)
            services.hazard_start_rectifying(hazard=hazard)
            services.hazard_rectify(
                hazard=hazard, rectified_on=D(2021, 12, 1), rectified_by="x", measures="x"
            )
            services.hazard_reinspect(
                hazard=hazard, inspected_on=D(2021, 12, 2), inspectors="x", passed=False, note="x"
            )


def _query_counts(user, campaign, premises):
    user = type(user).objects.get(pk=user.pk)  # a fresh instance: no cached profile from the last run

    def run(fn):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    return {
        "plan_progress": run(lambda: list(selectors.plan_progress(user=user, campaign=campaign))),
        "hazard_stats": run(
            lambda: list(selectors.hazard_stats(user=user, campaign=campaign, on=D(2022, 1, 1)))
        ),
        "hazard_list": run(lambda: list(selectors.hazard_list(user=user, filters={"campaign": campaign}))),
        "inspection_list": run(
            lambda: list(selectors.inspection_list(user=user, filters={"campaign": campaign}))
        ),
        "premises_trace": run(lambda: selectors.premises_trace(premises=premises)),
    }


@pytest.mark.parametrize("role", ["superuser", "township_lead"])
def test_selectors_run_a_fixed_number_of_queries_whatever_the_data(campaign, township, role):
    user = (
        UserFactory(username="su", is_superuser=True)
        if role == "superuser"
        else make_user(Role.TOWNSHIP_LEAD, township=township)
    )
    ps = [PremisesFactory(township=township, name=f"单位{i}") for i in range(4)]
    plan = services.inspection_plan_create(
        campaign=campaign, township=township, title="计划", due_on=D(2021, 12, 31), premises=ps
    )
    _grow(ps[:1], plan, 1)
    small = _query_counts(user, campaign, ps[0])
    _grow(ps, plan, 3)
    services.inspection_plan_create(
        campaign=campaign, township=township, title="计划二", due_on=D(2021, 12, 31), premises=ps[1:]
    )
    large = _query_counts(user, campaign, ps[0])
    assert large == small
    # Ten: seven for the loop (six when no account recorded anything: no user query), three for
    # hand-overs, their actions and 挂牌督办.
    assert small["premises_trace"] <= 10
    assert Inspection.objects.count() == 13


def test_incident_trace_judges_overdue_on_the_day_of_the_fire(premises, township):
    hazard = _hazard(premises, found=D(2021, 11, 20), deadline=D(2021, 11, 27))
    _verify(hazard, rectified_on=D(2022, 1, 30), verified_on=D(2022, 2, 1))  # only after the fire
    fire = FireIncidentFactory(township=township, premises=premises)  # 2022-01-15 20:30 Shanghai
    trace = selectors.incident_trace(incident=fire)
    assert trace.on == D(2022, 1, 15)
    assert [h.pk for h in trace.overdue_hazards] == [hazard.pk]
    assert [h.pk for h in trace.late_hazards] == [hazard.pk]
    assert selectors.incident_trace(incident=FireIncidentFactory(township=township)) is None


@pytest.mark.django_db
def test_pending_premises_lists_the_first_ten_by_name_and_counts_them_all():
    import datetime as dt

    from inspections import selectors, services
    from tests import factories as f

    township = f.TownshipFactory()
    premises = [f.PremisesFactory(township=township, name=f"单位{n:02d}") for n in range(14)]
    plan = f.InspectionPlanFactory(township=township)
    plan.premises.add(*premises)
    services.inspection_record(
        premises=premises[0],
        kind="township",
        inspected_on=dt.date(2021, 11, 20),
        inspectors="专干",
        plan=plan,
    )
    (plan,) = selectors.plan_attach_pending_premises(plans=[plan])
    assert plan.pending_count == 13
    assert [p.name for p in plan.pending_premises] == [f"单位{n:02d}" for n in range(1, 11)]
