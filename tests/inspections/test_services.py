import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ApplicationError
from inspections import services
from inspections.models import Campaign, ChecklistResult, Hazard, Inspection
from tests.factories import (
    AssignmentFactory,
    CountyFactory,
    FireIncidentFactory,
    PremisesFactory,
    TownshipFactory,
)
from tests.inspections.factories import INSPECTED_ON, hazard_data, open_hazard, record_inspection

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# --- campaigns -----------------------------------------------------------------------------


def test_campaign_create_records_the_campaign_and_who_opened_it(county, user):
    campaign = services.campaign_create(
        county=county,
        name="2022年消防安全专项整治",
        kind=Campaign.Kind.SPECIAL,
        starts_on=dt.date(2022, 5, 1),
        ends_on=dt.date(2022, 5, 1),
        by=user,
    )
    assert campaign.pk
    assert campaign.history.get().history_user == user


def test_campaign_cannot_end_before_it_starts(county, user, unchanged):
    with pytest.raises(ApplicationError, match="结束日期不能早于开始日期"), unchanged():
        services.campaign_create(
            county=county,
            name="倒置的行动",
            kind=Campaign.Kind.SPECIAL,
            starts_on=dt.date(2022, 5, 2),
            ends_on=dt.date(2022, 5, 1),
            by=user,
        )


def test_campaign_name_is_unique_in_a_county(campaign, user, unchanged):
    with pytest.raises(ValidationError), unchanged():
        services.campaign_create(
            county=campaign.county,
            name=campaign.name,
            kind=Campaign.Kind.WINTER_SPRING,
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
            by=user,
        )


# --- plans ---------------------------------------------------------------------------------


def test_inspection_plan_create_lists_the_premises_and_records_the_user(
    campaign, township, premises, station, user
):
    plan = services.inspection_plan_create(
        campaign=campaign,
        township=township,
        title="派出所检查计划",
        due_on=dt.date(2021, 12, 15),
        premises=[premises],
        police_station=station,
        by=user,
    )
    assert list(plan.premises.all()) == [premises]
    assert plan.police_station == station
    assert {h.history_user for h in plan.history.all()} == {user}
    assert list(plan.history.latest().premises.values_list("premises_id", flat=True)) == [premises.pk]


def _plan_kwargs(campaign, township, one_premises, **overrides):
    kwargs = {
        "campaign": campaign,
        "township": township,
        "title": "计划",
        "due_on": dt.date(2021, 12, 15),
        "premises": [one_premises],
        "by": None,
    }
    kwargs.update(overrides)
    return kwargs


def test_plan_cannot_list_premises_of_another_township(
    campaign, township, premises, other_premises, unchanged
):
    with pytest.raises(ApplicationError, match="不在“褚庙乡”辖区内"), unchanged():
        services.inspection_plan_create(
            **_plan_kwargs(campaign, township, premises, premises=[premises, other_premises])
        )


@pytest.mark.parametrize("due_on", [dt.date(2021, 10, 31), dt.date(2022, 5, 1)])
def test_plan_deadline_must_fall_within_the_campaign(campaign, township, premises, due_on, unchanged):
    with pytest.raises(ApplicationError, match="防控行动期间"), unchanged():
        services.inspection_plan_create(**_plan_kwargs(campaign, township, premises, due_on=due_on))


def test_plan_police_station_must_cover_the_township(campaign, township, premises, other_station, unchanged):
    with pytest.raises(ApplicationError, match="辖区不包括"), unchanged():
        services.inspection_plan_create(
            **_plan_kwargs(campaign, township, premises, police_station=other_station)
        )


def test_plan_township_must_be_in_the_campaign_county(campaign, unchanged):
    elsewhere = TownshipFactory(county=CountyFactory(name="睢县"), name="外县乡")
    far_premises = PremisesFactory(township=elsewhere)
    with pytest.raises(ApplicationError, match="不属于该防控行动所在的县"), unchanged():
        services.inspection_plan_create(**_plan_kwargs(campaign, elsewhere, far_premises))


def test_plan_needs_at_least_one_premises(campaign, township, premises, unchanged):
    with pytest.raises(ApplicationError, match="至少要包含一个检查对象"), unchanged():
        services.inspection_plan_create(**_plan_kwargs(campaign, township, premises, premises=[]))


# --- inspections ---------------------------------------------------------------------------


def test_inspection_record_writes_inspection_results_and_hazards_and_moves_the_schedule(
    premises, items, plan, user
):
    inspection = services.inspection_record(
        premises=premises,
        kind=Inspection.Kind.TOWNSHIP,
        inspected_on=INSPECTED_ON,
        inspectors="赵专干",
        results=[
            {"item": items[0], "result": "fail", "note": "后门堆放纸箱"},
            {"item": items[1], "result": "pass"},
        ],
        hazards=[
            hazard_data(checklist_item=items[0]),
            hazard_data(severity=Hazard.Severity.MAJOR, description="私拉电线", deadline=INSPECTED_ON),
        ],
        plan=plan,
        signed_by="王老板",
        notes="现场检查",
        by=user,
    )
    assert inspection.township == premises.township
    assert inspection.recorded_by == user
    assert inspection.plan == plan
    assert sorted(inspection.results.values_list("item__code", "result")) == [
        ("A01", "fail"),
        ("A02", "pass"),
    ]
    hazards = list(inspection.hazards.order_by("id"))
    assert len(hazards) == 2
    for hazard in hazards:
        assert hazard.township == premises.township
        assert hazard.premises == premises
        assert hazard.discovered_on == INSPECTED_ON
        assert hazard.status == Hazard.Status.OPEN
        assert hazard.verified_on is None
    assert hazards[0].checklist_item == items[0]
    premises.refresh_from_db()
    assert premises.last_inspected_on == INSPECTED_ON
    assert premises.next_inspection_due is not None
    assert premises.next_inspection_due > INSPECTED_ON


def test_inspection_record_keeps_the_acting_user_in_every_history(premises, items, user):
    inspection = record_inspection(
        premises=premises, by=user, results=[{"item": items[0], "result": "fail", "note": ""}]
    )
    assert inspection.history.get().history_user == user
    assert ChecklistResult.history.get().history_user == user
    assert inspection.hazards.get().history.get().history_user == user
    assert premises.history.latest().history_user == user


def test_a_failed_checklist_item_without_a_hazard_is_allowed(premises, items):
    inspection = record_inspection(
        premises=premises, results=[{"item": items[0], "result": "fail", "note": "待观察"}], hazards=[]
    )
    assert inspection.results.get().result == "fail"
    assert not inspection.hazards.exists()


def test_an_inspection_today_is_allowed(premises):
    inspection = record_inspection(premises=premises, inspected_on=TODAY(), hazards=[])
    assert inspection.inspected_on == TODAY()


def test_an_inspection_cannot_be_dated_in_the_future(premises, unchanged):
    with pytest.raises(ApplicationError, match="检查日期不能晚于今天"), unchanged():
        record_inspection(premises=premises, inspected_on=TODAY() + dt.timedelta(days=1))


def test_an_inspection_cannot_use_a_plan_of_another_township(premises, other_premises, campaign, unchanged):
    other_plan = services.inspection_plan_create(
        campaign=campaign,
        township=other_premises.township,
        title="北关镇计划",
        due_on=dt.date(2021, 12, 31),
        premises=[other_premises],
    )
    with pytest.raises(ApplicationError, match="属于其他乡镇"), unchanged():
        record_inspection(premises=premises, plan=other_plan)


def test_an_inspection_cannot_use_a_plan_that_does_not_list_the_premises(plan, township, unchanged):
    unlisted = PremisesFactory(township=township, name="未列入计划的商铺")
    with pytest.raises(ApplicationError, match="不在检查计划"), unchanged():
        record_inspection(premises=unlisted, plan=plan)


def test_a_checklist_item_cannot_be_answered_twice(premises, items, unchanged):
    results = [{"item": items[0], "result": "pass"}, {"item": items[0], "result": "fail"}]
    with pytest.raises(ApplicationError, match="重复填写"), unchanged():
        record_inspection(premises=premises, results=results)


def test_a_hazard_deadline_cannot_precede_its_discovery(premises, unchanged):
    hazards = [hazard_data(), hazard_data(deadline=INSPECTED_ON - dt.timedelta(days=1))]
    with pytest.raises(ApplicationError, match="整改期限不能早于发现日期"), unchanged():
        record_inspection(premises=premises, hazards=hazards)


def test_a_police_inspection_needs_a_police_station(premises, unchanged):
    with pytest.raises(ApplicationError, match="必须填写派出所"), unchanged():
        record_inspection(premises=premises, kind=Inspection.Kind.POLICE)


def test_a_police_inspection_needs_a_station_covering_the_township(premises, other_station, unchanged):
    with pytest.raises(ApplicationError, match="辖区不包括"), unchanged():
        record_inspection(premises=premises, kind=Inspection.Kind.POLICE, police_station=other_station)


def test_a_police_inspection_by_the_covering_station_is_recorded(premises, station):
    inspection = record_inspection(premises=premises, kind=Inspection.Kind.POLICE, police_station=station)
    assert inspection.police_station == station


def test_an_inactive_checklist_item_is_refused_in_results(premises, inactive_item, unchanged):
    with pytest.raises(ApplicationError, match="已停用"), unchanged():
        record_inspection(premises=premises, results=[{"item": inactive_item, "result": "pass"}])


def test_an_inactive_checklist_item_is_refused_on_a_hazard(premises, inactive_item, unchanged):
    with pytest.raises(ApplicationError, match="已停用"), unchanged():
        record_inspection(premises=premises, hazards=[hazard_data(checklist_item=inactive_item)])


def test_an_invalid_hazard_after_valid_rows_rolls_the_whole_inspection_back(premises, items, unchanged):
    # The inspection and the result are saved before the hazard's full_clean fails: all or nothing.
    with pytest.raises(ValidationError), unchanged():
        record_inspection(
            premises=premises,
            results=[{"item": items[0], "result": "pass"}],
            hazards=[hazard_data(severity="catastrophic")],
        )


def test_hazard_create_adds_an_open_hazard_to_a_recorded_inspection(premises, items, user):
    inspection = record_inspection(premises=premises, hazards=[])
    hazard = services.hazard_create(
        inspection=inspection,
        severity=Hazard.Severity.MAJOR,
        description="疏散通道堵塞",
        deadline=INSPECTED_ON,
        responsible_person="王老板",
        checklist_item=items[0],
        by=user,
    )
    assert (hazard.status, hazard.discovered_on, hazard.township, hazard.premises) == (
        Hazard.Status.OPEN,
        INSPECTED_ON,
        premises.township,
        premises,
    )
    assert hazard.history.get().history_user == user


def test_hazard_create_refuses_a_deadline_before_the_inspection(premises, unchanged):
    inspection = record_inspection(premises=premises, hazards=[])
    with pytest.raises(ApplicationError, match="整改期限不能早于发现日期"), unchanged():
        services.hazard_create(
            inspection=inspection,
            severity=Hazard.Severity.GENERAL,
            description="x",
            deadline=INSPECTED_ON - dt.timedelta(days=1),
            responsible_person="王老板",
        )


def test_hazard_create_refuses_an_inactive_checklist_item(premises, inactive_item, unchanged):
    inspection = record_inspection(premises=premises, hazards=[])
    with pytest.raises(ApplicationError, match="已停用"), unchanged():
        services.hazard_create(
            inspection=inspection,
            severity=Hazard.Severity.GENERAL,
            description="x",
            deadline=INSPECTED_ON,
            responsible_person="王老板",
            checklist_item=inactive_item,
        )


# --- accountability ------------------------------------------------------------------------


def _accountability(township, **overrides):
    kwargs = {
        "township": township,
        "person": "李副乡长",
        "unit": "褚庙乡人民政府",
        "finding": "重大火灾隐患逾期未整改",
        "sanction": "诫勉谈话",
        "decided_by": "县纪委监委",
        "decided_on": dt.date(2022, 1, 20),
        "by": None,
    }
    kwargs.update(overrides)
    return services.accountability_record(**kwargs)


def test_accountability_is_recorded_for_a_hazard_of_the_township(township, premises, user):
    hazard = open_hazard(premises=premises)
    accountability = _accountability(township, hazard=hazard, premises=premises, by=user)
    assert accountability.hazard == hazard
    assert accountability.history.get().history_user == user


def test_accountability_is_recorded_for_a_fire_or_an_assignment(township):
    fire = FireIncidentFactory(township=township)
    assignment = AssignmentFactory(township=township)
    assert _accountability(township, incident=fire).incident == fire
    assert _accountability(township, assignment=assignment).assignment == assignment


def test_accountability_needs_a_subject(township, unchanged):
    with pytest.raises(ApplicationError, match="至少要关联"), unchanged():
        _accountability(township)


def test_accountability_subjects_must_belong_to_the_township(
    township, other_township, other_premises, unchanged
):
    other_hazard = open_hazard(premises=other_premises)
    subjects = [
        {"premises": other_premises},
        {"hazard": other_hazard},
        {"incident": FireIncidentFactory(township=other_township)},
        {"assignment": AssignmentFactory(township=other_township)},
    ]
    for subject in subjects:
        with pytest.raises(ApplicationError, match="不属于“褚庙乡”"), unchanged():
            _accountability(township, **subject)


def test_accountability_hazard_must_be_of_the_named_premises(township, premises, unchanged):
    hazard = open_hazard(premises=premises)
    neighbour = PremisesFactory(township=township, name="邻近商铺")
    with pytest.raises(ApplicationError, match="所选隐患不属于所选单位"), unchanged():
        _accountability(township, hazard=hazard, premises=neighbour)


def test_accountability_cannot_be_decided_in_the_future(township, premises, unchanged):
    with pytest.raises(ApplicationError, match="决定日期不能晚于今天"), unchanged():
        _accountability(township, premises=premises, decided_on=TODAY() + dt.timedelta(days=1))


@pytest.mark.django_db
def test_a_self_inspection_does_not_move_the_official_inspection_schedule():
    import datetime as dt

    from inspections import services
    from tests import factories as f

    premises = f.PremisesFactory(risk_level="high")
    services.inspection_record(
        premises=premises, kind="township", inspected_on=dt.date(2021, 11, 1), inspectors="专干"
    )
    premises.refresh_from_db()
    due = premises.next_inspection_due
    assert due == dt.date(2021, 12, 1)
    services.inspection_record(
        premises=premises, kind="self", inspected_on=dt.date(2021, 11, 20), inspectors="王老板"
    )
    premises.refresh_from_db()
    assert premises.next_inspection_due == due
    assert premises.last_inspected_on == dt.date(2021, 11, 1)
