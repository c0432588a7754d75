"""The county's inspection schedule: intervals by risk level and sensitive periods (元旦, 春节, 两会)
set by the guidance center, one due-date rule, every premises of the county rescheduled on a change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.exceptions import AccessDenied
from core.models import Role
from tests.factories import CountyFactory, PremisesFactory, TownshipFactory, UserFactory, make_user
from townships import selectors, services
from townships.models import Premises, SensitivePeriod

pytestmark = pytest.mark.django_db

RISK = Premises.RiskLevel
SPRING = (dt.date(2022, 1, 25), dt.date(2022, 2, 15), 7)  # 春节 2022, high-risk every 7 days
SCHEDULE = selectors.InspectionSchedule(days=selectors.DEFAULT_INSPECTION_DAYS, periods=(SPRING,))


def due(risk, inspected_on, schedule=SCHEDULE):
    return services.inspection_due_date(risk_level=risk, inspected_on=inspected_on, schedule=schedule)


# --- the rule ---------------------------------------------------------------------------------


def test_without_a_period_the_interval_of_the_risk_level_applies():
    assert due(RISK.HIGH, dt.date(2021, 11, 1), selectors.DEFAULT_SCHEDULE) == dt.date(2021, 12, 1)
    assert due(RISK.MEDIUM, dt.date(2021, 11, 1), selectors.DEFAULT_SCHEDULE) == dt.date(2022, 1, 30)
    assert due(RISK.LOW, dt.date(2021, 11, 1), selectors.DEFAULT_SCHEDULE) == dt.date(2022, 4, 30)
    assert due(RISK.HIGH, None) is None


def test_a_high_risk_premises_is_due_on_the_periods_first_day_at_the_latest():
    # 30 days after 1 January is 31 January, inside the period: due when it starts.
    assert due(RISK.HIGH, dt.date(2022, 1, 1)) == dt.date(2022, 1, 25)
    # Due before the period anyway: unchanged.
    assert due(RISK.HIGH, dt.date(2021, 12, 20)) == dt.date(2022, 1, 19)


def test_within_the_period_every_seven_days_until_it_ends():
    assert due(RISK.HIGH, dt.date(2022, 1, 25)) == dt.date(2022, 2, 1)
    assert due(RISK.HIGH, dt.date(2022, 2, 8)) == dt.date(2022, 2, 15)  # the period's last day: still in
    # Seven days later would be past the period's end: the ordinary 30 days.
    assert due(RISK.HIGH, dt.date(2022, 2, 9)) == dt.date(2022, 3, 11)
    assert due(RISK.HIGH, dt.date(2022, 2, 20)) == dt.date(2022, 3, 22)


def test_periods_tighten_only_high_risk_premises():
    assert due(RISK.MEDIUM, dt.date(2022, 1, 1)) == dt.date(2022, 4, 1)
    assert due(RISK.LOW, dt.date(2022, 1, 25)) == dt.date(2022, 7, 24)


# --- the county's schedule, set by the guidance center ------------------------------------------


@pytest.fixture
def county_premises():
    township = TownshipFactory()
    elsewhere = TownshipFactory(county=CountyFactory(name="睢县"))
    ours = {
        risk: PremisesFactory(
            township=township,
            risk_level=risk,
            last_inspected_on=dt.date(2022, 1, 1),
            next_inspection_due=due(risk, dt.date(2022, 1, 1), selectors.DEFAULT_SCHEDULE),
        )
        for risk in (RISK.HIGH, RISK.MEDIUM, RISK.LOW)
    }
    never = PremisesFactory(
        township=township, risk_level=RISK.HIGH, last_inspected_on=None, next_inspection_due=None
    )
    theirs = PremisesFactory(
        township=elsewhere,
        risk_level=RISK.HIGH,
        last_inspected_on=dt.date(2022, 1, 1),
        next_inspection_due=dt.date(2022, 1, 31),
    )
    return township.county, ours, never, theirs


def dues(*premises):
    return [Premises.objects.get(pk=p.pk).next_inspection_due for p in premises]


def test_new_intervals_reschedule_the_countys_premises_and_no_others(county_premises):
    county, ours, never, theirs = county_premises
    center = make_user(Role.GUIDANCE_CENTER)

    services.county_update(
        county=county, data={"inspection_days_high": 15, "inspection_days_low": 365}, by=center
    )

    assert dues(ours[RISK.HIGH], ours[RISK.MEDIUM], ours[RISK.LOW]) == [
        dt.date(2022, 1, 16),
        dt.date(2022, 4, 1),
        dt.date(2023, 1, 1),
    ]
    assert dues(never, theirs) == [None, dt.date(2022, 1, 31)]
    assert county.history.order_by("-history_id").first().history_user == center


@pytest.mark.parametrize("role", [Role.TOWNSHIP_LEAD, Role.COUNTY_OFFICIAL])
def test_only_the_guidance_center_sets_the_schedule(county_premises, role):
    county, ours, _never, _theirs = county_premises
    township = ours[RISK.HIGH].township
    user = make_user(role, township=township) if role == Role.TOWNSHIP_LEAD else make_user(role)
    before = dues(*ours.values())

    with pytest.raises(AccessDenied):
        services.county_update(county=county, data={"inspection_days_high": 7}, by=user)
    with pytest.raises(AccessDenied):
        services.sensitive_period_create(
            county=county, name="春节", starts_on=SPRING[0], ends_on=SPRING[1], high_risk_days=7, by=user
        )

    county.refresh_from_db()
    assert county.inspection_days_high == 30
    assert not SensitivePeriod.objects.exists()
    assert dues(*ours.values()) == before


@pytest.mark.parametrize("days", [0, 367])
def test_an_interval_out_of_range_is_refused_and_nothing_moves(county_premises, days):
    county, ours, _never, _theirs = county_premises
    before = dues(*ours.values())

    with pytest.raises(ValidationError) as refused:
        services.county_update(
            county=county, data={"inspection_days_medium": days}, by=make_user(Role.GUIDANCE_CENTER)
        )

    assert "inspection_days_medium" in refused.value.message_dict
    county.refresh_from_db()
    assert county.inspection_days_medium == 90
    assert dues(*ours.values()) == before


def test_a_sensitive_period_brings_high_risk_inspections_forward_and_its_removal_restores_them(
    county_premises,
):
    county, ours, _never, theirs = county_premises
    center = make_user(Role.GUIDANCE_CENTER)

    period = services.sensitive_period_create(
        county=county, name="春节", starts_on=SPRING[0], ends_on=SPRING[1], high_risk_days=7, by=center
    )

    assert dues(ours[RISK.HIGH], ours[RISK.MEDIUM], theirs) == [
        dt.date(2022, 1, 25),
        dt.date(2022, 4, 1),
        dt.date(2022, 1, 31),
    ]
    services.sensitive_period_delete(period=period, by=center)
    assert dues(ours[RISK.HIGH]) == [dt.date(2022, 1, 31)]
    assert SensitivePeriod.history.filter(history_type="-").get().history_user == center


def test_a_period_that_ends_before_it_starts_is_refused_and_nothing_is_written(county_premises):
    county, ours, _never, _theirs = county_premises

    with pytest.raises(ValidationError):
        services.sensitive_period_create(
            county=county,
            name="春节",
            starts_on=dt.date(2022, 2, 15),
            ends_on=dt.date(2022, 1, 25),
            high_risk_days=7,
            by=make_user(Role.GUIDANCE_CENTER),
        )

    assert not SensitivePeriod.objects.exists()
    assert dues(ours[RISK.HIGH]) == [dt.date(2022, 1, 31)]


def test_an_inspection_is_scheduled_by_its_countys_rhythm(county_premises):
    county, ours, _never, theirs = county_premises
    services.county_update(county=county, data={"inspection_days_high": 10}, by=None)
    services.sensitive_period_create(
        county=county, name="春节", starts_on=SPRING[0], ends_on=SPRING[1], high_risk_days=3, by=None
    )

    services.premises_record_inspection(premises=ours[RISK.HIGH], inspected_on=dt.date(2022, 1, 26))
    services.premises_record_inspection(premises=theirs, inspected_on=dt.date(2022, 1, 26))

    assert dues(ours[RISK.HIGH], theirs) == [dt.date(2022, 1, 29), dt.date(2022, 2, 25)]
    # A new risk level is scheduled by the same rhythm.
    services.premises_set_risk_level(premises=ours[RISK.MEDIUM], risk_level=RISK.HIGH, by=None)
    assert dues(ours[RISK.MEDIUM]) == [dt.date(2022, 1, 11)]


def test_the_centers_admin_sets_intervals_and_periods_through_the_services(client, county_premises):
    county, ours, _never, _theirs = county_premises
    admin_user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    url = reverse("admin:townships_county_change", args=[county.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": county.name,
        "code": county.code,
        "brigade_coverage_km": "5",
        "inspection_days_high": "20",
        "inspection_days_medium": "90",
        "inspection_days_low": "180",
        "sensitive_periods-TOTAL_FORMS": "1",
        "sensitive_periods-INITIAL_FORMS": "0",
        "sensitive_periods-0-name": "春节",
        "sensitive_periods-0-starts_on": "2022-01-25",
        "sensitive_periods-0-ends_on": "2022-02-15",
        "sensitive_periods-0-high_risk_days": "7",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert dues(ours[RISK.HIGH]) == [dt.date(2022, 1, 21)]
    assert SensitivePeriod.objects.get().history.get().history_user == admin_user

    refused = client.post(url, {**data, "inspection_days_high": "0", "sensitive_periods-TOTAL_FORMS": "0"})
    assert refused.status_code == 200
    county.refresh_from_db()
    assert county.inspection_days_high == 20
