import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import Role
from tests.factories import (
    GridFactory,
    PoliceStationFactory,
    PremisesFactory,
    ResponsibilityAgreementFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from townships import selectors, services
from townships.models import Grid, GridMember, Premises, ResponsibilityAgreement

pytestmark = pytest.mark.django_db

RISK = Premises.RiskLevel


def _premises_kwargs(township, **overrides):
    kwargs = {
        "township": township,
        "name": "褚庙乡中心超市",
        "address": "褚庙乡政府路1号",
        "category": Premises.Category.SHOP,
        "risk_level": RISK.MEDIUM,
        "responsible_person": "王老板",
        "responsible_phone": "13912345678",
    }
    kwargs.update(overrides)
    return kwargs


def _last_history_user(instance):
    return instance.history.order_by("-history_id").first().history_user


# --- premises_create / premises_update ------------------------------------------------------


def test_premises_create_records_the_premises_and_the_acting_user():
    township = TownshipFactory()
    grid = GridFactory(township=township)
    station = PoliceStationFactory(county=township.county)
    station.townships.add(township)
    user = make_user(Role.GUIDANCE_CENTER)

    premises = services.premises_create(
        **_premises_kwargs(township, grid=grid, police_station=station), by=user
    )

    premises.refresh_from_db()
    assert premises.grid == grid
    assert premises.police_station == station
    assert premises.last_inspected_on is None
    assert premises.next_inspection_due is None
    assert _last_history_user(premises) == user


def test_premises_create_refuses_a_grid_of_another_township():
    township = TownshipFactory()
    foreign_grid = GridFactory()

    with pytest.raises(ApplicationError, match="不属于"):
        services.premises_create(**_premises_kwargs(township, grid=foreign_grid))

    assert not Premises.objects.exists()


def test_premises_create_refuses_a_police_station_that_does_not_cover_the_township():
    township = TownshipFactory()
    station = PoliceStationFactory(county=township.county)
    station.townships.add(TownshipFactory(county=township.county))

    with pytest.raises(ApplicationError, match="辖区不包括"):
        services.premises_create(**_premises_kwargs(township, police_station=station))

    assert not Premises.objects.exists()


def test_premises_create_refuses_an_invalid_phone_number():
    township = TownshipFactory()

    with pytest.raises(ValidationError) as excinfo:
        services.premises_create(**_premises_kwargs(township, responsible_phone="12345"))

    assert "responsible_phone" in excinfo.value.message_dict
    assert not Premises.objects.exists()


def test_premises_update_changes_details_and_records_the_user():
    premises = PremisesFactory()
    other_grid = GridFactory(township=premises.township)
    user = make_user(Role.GUIDANCE_CENTER)

    services.premises_update(premises=premises, data={"grid": other_grid, "manager": "李经理"}, by=user)

    premises.refresh_from_db()
    assert premises.grid == other_grid
    assert premises.manager == "李经理"
    assert _last_history_user(premises) == user


def test_premises_update_refuses_a_grid_of_another_township_and_writes_nothing():
    premises = PremisesFactory()
    grid_before = premises.grid
    history_before = premises.history.count()

    with pytest.raises(ApplicationError, match="不属于"):
        services.premises_update(premises=premises, data={"grid": GridFactory()})

    premises.refresh_from_db()
    assert premises.grid == grid_before
    assert premises.history.count() == history_before


def test_premises_update_refuses_moving_the_premises_to_another_township():
    premises = PremisesFactory()

    with pytest.raises(ApplicationError, match="township"):
        services.premises_update(premises=premises, data={"township": TownshipFactory()})


def test_premises_update_of_risk_level_reschedules_the_next_inspection():
    premises = PremisesFactory(
        risk_level=RISK.LOW, last_inspected_on=dt.date(2021, 11, 1), next_inspection_due=dt.date(2022, 4, 30)
    )

    services.premises_update(premises=premises, data={"risk_level": RISK.HIGH})

    premises.refresh_from_db()
    assert premises.next_inspection_due == dt.date(2021, 12, 1)


# --- inspection schedule --------------------------------------------------------------------


@pytest.mark.parametrize(("risk_level", "days"), [(RISK.HIGH, 30), (RISK.MEDIUM, 90), (RISK.LOW, 180)])
def test_recording_an_inspection_schedules_the_next_by_risk_level(risk_level, days):
    premises = PremisesFactory(risk_level=risk_level)
    user = UserFactory()

    returned = services.premises_record_inspection(
        premises=premises, inspected_on=dt.date(2021, 11, 20), by=user
    )

    assert returned is premises
    assert premises.last_inspected_on == dt.date(2021, 11, 20)
    assert premises.next_inspection_due == dt.date(2021, 11, 20) + dt.timedelta(days=days)
    premises.refresh_from_db()
    assert premises.next_inspection_due == dt.date(2021, 11, 20) + dt.timedelta(days=days)
    assert _last_history_user(premises) == user


def test_higher_risk_means_more_frequent_inspection():
    intervals = selectors.DEFAULT_INSPECTION_DAYS
    assert intervals[RISK.HIGH] < intervals[RISK.MEDIUM] < intervals[RISK.LOW]


def test_an_older_inspection_never_moves_the_schedule_backwards():
    premises = PremisesFactory(risk_level=RISK.HIGH)
    services.premises_record_inspection(premises=premises, inspected_on=dt.date(2021, 12, 10))
    history_before = premises.history.count()

    services.premises_record_inspection(premises=premises, inspected_on=dt.date(2021, 11, 20))

    premises.refresh_from_db()
    assert premises.last_inspected_on == dt.date(2021, 12, 10)
    assert premises.next_inspection_due == dt.date(2022, 1, 9)
    assert premises.history.count() == history_before


def test_recording_an_inspection_in_the_future_is_refused():
    premises = PremisesFactory()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ApplicationError, match="晚于今天"):
        services.premises_record_inspection(premises=premises, inspected_on=tomorrow)

    premises.refresh_from_db()
    assert premises.last_inspected_on is None


def test_setting_the_risk_level_recomputes_the_due_date_from_the_last_inspection():
    premises = PremisesFactory(risk_level=RISK.MEDIUM)
    services.premises_record_inspection(premises=premises, inspected_on=dt.date(2021, 11, 20))
    user = make_user(Role.GUIDANCE_CENTER)

    services.premises_set_risk_level(premises=premises, risk_level=RISK.HIGH, by=user)

    premises.refresh_from_db()
    assert premises.risk_level == RISK.HIGH
    assert premises.next_inspection_due == dt.date(2021, 12, 20)
    assert _last_history_user(premises) == user


def test_setting_the_risk_level_of_a_never_inspected_premises_leaves_no_due_date():
    premises = PremisesFactory(risk_level=RISK.LOW)

    services.premises_set_risk_level(premises=premises, risk_level=RISK.HIGH)

    premises.refresh_from_db()
    assert premises.next_inspection_due is None


def test_setting_an_unknown_risk_level_is_refused():
    premises = PremisesFactory(risk_level=RISK.LOW)

    with pytest.raises(ApplicationError, match="未知的风险等级"):
        services.premises_set_risk_level(premises=premises, risk_level="extreme")

    premises.refresh_from_db()
    assert premises.risk_level == RISK.LOW


# --- grids ----------------------------------------------------------------------------------


def test_grid_create_and_member_add_record_the_user():
    township = TownshipFactory()
    user = make_user(Role.GUIDANCE_CENTER)

    grid = services.grid_create(township=township, name="第一网格", area_description="褚庙村", by=user)
    member = services.grid_member_add(
        grid=grid, name="赵网格长", phone="0370-8123456", role=GridMember.Role.CHIEF, by=user
    )

    assert _last_history_user(grid) == user
    assert _last_history_user(member) == user
    assert member.grid == grid


def test_grid_create_refuses_a_duplicate_name_in_the_township():
    township = TownshipFactory()
    services.grid_create(township=township, name="第一网格")

    with pytest.raises(ValidationError):
        services.grid_create(township=township, name="第一网格")

    assert Grid.objects.filter(township=township).count() == 1


def test_grid_member_add_refuses_an_invalid_phone():
    grid = GridFactory()

    with pytest.raises(ValidationError):
        services.grid_member_add(grid=grid, name="钱网格员", phone="110")

    assert not GridMember.objects.exists()


def test_police_station_coverage_cannot_drop_a_township_its_premises_are_in():
    township = TownshipFactory()
    station = PoliceStationFactory(county=township.county)
    station.townships.add(township)
    PremisesFactory(township=township, police_station=station)

    with pytest.raises(ApplicationError, match="仍有社会单位"):
        services.police_station_check_coverage(police_station=station, townships=[])
    services.police_station_check_coverage(police_station=station, townships=[township])


# --- responsibility agreements --------------------------------------------------------------


def _agreement_kwargs(township, **overrides):
    kwargs = {
        "township": township,
        "year": 2021,
        "signatory": "张书记",
        "counterparty": "县人民政府",
        "scope": "乡镇消防安全目标责任",
        "signed_on": dt.date(2021, 3, 1),
    }
    kwargs.update(overrides)
    return kwargs


def test_township_and_premises_agreements_of_the_same_year_can_both_be_signed():
    township = TownshipFactory()
    premises = PremisesFactory(township=township)
    user = make_user(Role.GUIDANCE_CENTER)

    township_agreement = services.responsibility_agreement_sign(**_agreement_kwargs(township), by=user)
    premises_agreement = services.responsibility_agreement_sign(
        **_agreement_kwargs(township, premises=premises, signatory="王老板", counterparty="褚庙乡人民政府"),
        by=user,
    )

    assert township_agreement.premises is None
    assert premises_agreement.premises == premises
    assert _last_history_user(township_agreement) == user


def test_a_second_township_agreement_for_the_same_year_is_refused():
    township = TownshipFactory()
    services.responsibility_agreement_sign(**_agreement_kwargs(township))

    with pytest.raises(ApplicationError, match="2021 年度的消防安全责任书已经签订"):
        services.responsibility_agreement_sign(**_agreement_kwargs(township, signed_on=dt.date(2021, 5, 1)))

    assert ResponsibilityAgreement.objects.count() == 1


def test_a_second_premises_agreement_for_the_same_year_is_refused():
    premises = PremisesFactory()
    services.responsibility_agreement_sign(**_agreement_kwargs(premises.township, premises=premises))

    with pytest.raises(ApplicationError, match="已经签订"):
        services.responsibility_agreement_sign(**_agreement_kwargs(premises.township, premises=premises))

    assert ResponsibilityAgreement.objects.count() == 1


def test_an_agreement_signed_outside_its_year_is_refused():
    township = TownshipFactory()

    with pytest.raises(ApplicationError, match="不在 2022 年度内"):
        services.responsibility_agreement_sign(**_agreement_kwargs(township, year=2022))

    assert not ResponsibilityAgreement.objects.exists()


def test_an_agreement_for_premises_of_another_township_is_refused():
    township = TownshipFactory()
    foreign = PremisesFactory()

    with pytest.raises(ApplicationError, match="不在"):
        services.responsibility_agreement_sign(**_agreement_kwargs(township, premises=foreign))

    assert not ResponsibilityAgreement.objects.exists()


def test_an_agreement_year_outside_the_sane_range_is_refused():
    township = TownshipFactory()

    with pytest.raises(ValidationError):
        services.responsibility_agreement_sign(
            **_agreement_kwargs(township, year=1999, signed_on=dt.date(1999, 3, 1))
        )

    assert not ResponsibilityAgreement.objects.exists()


def test_agreement_update_keeps_the_signing_date_within_the_year():
    agreement = ResponsibilityAgreementFactory()
    user = make_user(Role.GUIDANCE_CENTER)

    services.responsibility_agreement_update(
        agreement=agreement, data={"signed_on": dt.date(2021, 4, 2), "scope": "补充"}, by=user
    )
    with pytest.raises(ApplicationError, match="不在 2021 年度内"):
        services.responsibility_agreement_update(
            agreement=agreement, data={"signed_on": dt.date(2020, 12, 1)}
        )

    agreement.refresh_from_db()
    assert agreement.signed_on == dt.date(2021, 4, 2)
    assert _last_history_user(agreement) == user
