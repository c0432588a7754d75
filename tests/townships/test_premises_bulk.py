"""The premises rules written once: premises_build / premises_revise with PremisesLookups make no
query and refuse exactly as premises_create / premises_update (which call them) do; premises_save_many
writes what they accepted with its history rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from tests.factories import (
    CountyFactory,
    GridFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    make_user,
)
from townships import services
from townships.models import Premises

pytestmark = pytest.mark.django_db

RISK = Premises.RiskLevel


@pytest.fixture
def area():
    county = CountyFactory()
    home, other = TownshipFactory(county=county, name="褚庙乡"), TownshipFactory(county=county, name="北关镇")
    station, far_station = PoliceStationFactory(county=county), PoliceStationFactory(county=county)
    station.townships.add(home)
    far_station.townships.add(other)
    return {
        "home": home,
        "other": other,
        "grid": GridFactory(township=home),
        "foreign_grid": GridFactory(township=other),
        "station": station,
        "far_station": far_station,
        "existing": PremisesFactory(township=home, name="福民超市", address="政府街18号"),
        "lead": make_user(Role.TOWNSHIP_LEAD, township=home),
        "center": make_user(Role.GUIDANCE_CENTER),
    }


def _kwargs(area, **overrides):
    kwargs = {
        "township": area["home"],
        "name": "褚庙中学",
        "address": "学府路1号",
        "category": Premises.Category.SCHOOL,
        "risk_level": RISK.MEDIUM,
        "responsible_person": "王校长",
        "responsible_phone": "13912345678",
        "grid": area["grid"],
        "police_station": area["station"],
        "by": area["lead"],
    }
    kwargs.update(
        {key: area.get(value, value) if isinstance(value, str) else value for key, value in overrides.items()}
    )
    return kwargs


def _refusal(call):
    """What a refusal says: its kind and its words (a ValidationError's, field by field)."""
    try:
        call()
    except ValidationError as exc:
        return ValidationError, exc.message_dict
    except (ApplicationError, AccessDenied) as exc:
        return type(exc), str(exc.message)
    return None


CREATE_REFUSALS = [
    pytest.param({"grid": "foreign_grid", "by": "center"}, ApplicationError, id="grid-of-another-township"),
    pytest.param({"grid": "foreign_grid"}, AccessDenied, id="grid-in-a-foreign-township"),
    pytest.param({"police_station": "far_station"}, ApplicationError, id="station-not-covering"),
    pytest.param({"responsible_phone": "12345"}, ValidationError, id="bad-phone"),
    pytest.param({"category": "restaurant"}, ValidationError, id="unknown-category"),
    pytest.param({"name": "福民超市", "address": "政府街18号"}, ValidationError, id="key-taken"),
    pytest.param(
        {"name": "福民超市", "address": "政府街18号", "manager_phone": "1"},
        ValidationError,
        id="key-taken-and-bad-phone",
    ),
    pytest.param({"name": "名" * 121, "address": "政府街18号"}, ValidationError, id="name-too-long"),
    pytest.param({"latitude": Decimal("34.6")}, ValidationError, id="half-a-place"),
    pytest.param(
        {"latitude": Decimal("95"), "longitude": Decimal("115")}, ValidationError, id="latitude-out-of-range"
    ),
    pytest.param({"township": "other", "grid": None, "police_station": None}, AccessDenied, id="foreign"),
    pytest.param({"is_demo": True}, AccessDenied, id="center-only-field"),
]


@pytest.mark.parametrize(("overrides", "refused_with"), CREATE_REFUSALS)
def test_premises_build_with_lookups_refuses_as_premises_create_does_without_a_query(
    area, overrides, refused_with, django_assert_num_queries
):
    kwargs = _kwargs(area, **overrides)
    expected = _refusal(lambda: services.premises_create(**kwargs))
    assert expected is not None
    assert expected[0] is refused_with
    lookups = services.premises_lookups(township_ids=[area["home"].pk, area["other"].pk])

    with django_assert_num_queries(0):
        got = _refusal(lambda: services.premises_build(**kwargs, lookups=lookups))

    assert got == expected
    assert Premises.objects.count() == 1


def test_premises_build_with_lookups_refuses_a_key_an_earlier_premises_of_the_batch_took(area):
    lookups = services.premises_lookups(township_ids=[area["home"].pk])
    services.premises_build(**_kwargs(area), lookups=lookups)

    with pytest.raises(ValidationError) as refused:
        services.premises_build(**_kwargs(area, responsible_person="李校长"), lookups=lookups)

    assert (
        refused.value.message_dict
        == _refusal(lambda: services.premises_create(**_kwargs(area, name="福民超市", address="政府街18号")))[
            1
        ]
    )  # the same words as for a key already in the database
    assert Premises.objects.count() == 1


def test_lookups_do_not_vouch_for_a_township_they_were_not_loaded_for(area):
    lookups = services.premises_lookups(township_ids=[area["other"].pk])

    with pytest.raises(ApplicationError, match="辖区不包括"):
        services.premises_build(**_kwargs(area, police_station="far_station"), lookups=lookups)
    with pytest.raises(ValidationError):
        services.premises_build(**_kwargs(area, name="福民超市", address="政府街18号"), lookups=lookups)


UPDATE_REFUSALS = [
    pytest.param({"grid": "foreign_grid"}, "center", ApplicationError, id="grid-of-another-township"),
    pytest.param({"grid": "foreign_grid"}, "lead", AccessDenied, id="grid-in-a-foreign-township"),
    pytest.param({"police_station": "far_station"}, "lead", ApplicationError, id="station-not-covering"),
    pytest.param({"responsible_phone": "12345"}, "lead", ValidationError, id="bad-phone"),
    pytest.param({"risk_level": "extreme"}, "lead", ValidationError, id="unknown-risk-level"),
    pytest.param({"longitude": Decimal("115")}, "lead", ValidationError, id="half-a-place"),
    pytest.param({"township": "other"}, "center", ApplicationError, id="moving-township"),
    pytest.param({"is_demo": True}, "lead", AccessDenied, id="center-only-field"),
]


@pytest.mark.parametrize(("data", "by", "refused_with"), UPDATE_REFUSALS)
def test_premises_revise_with_lookups_refuses_as_premises_update_does_without_a_query(
    area, data, by, refused_with, django_assert_num_queries
):
    data = {key: area.get(value, value) if isinstance(value, str) else value for key, value in data.items()}
    premises, by = area["existing"], area[by]
    expected = _refusal(lambda: services.premises_update(premises=premises, data=data, by=by))
    assert expected is not None
    assert expected[0] is refused_with
    lookups = services.premises_lookups(township_ids=[area["home"].pk])
    locked = services.premises_lock(ids=[premises.pk])[premises.pk]

    with django_assert_num_queries(0):
        got = _refusal(lambda: services.premises_revise(premises=locked, data=data, by=by, lookups=lookups))

    assert got == expected
    assert premises.history.count() == 1


def test_premises_save_many_writes_what_the_rules_accepted_with_history_rows(area, django_assert_num_queries):
    premises = area["existing"]
    Premises.objects.filter(pk=premises.pk).update(last_inspected_on=dt.date(2021, 11, 1))
    center = area["center"]
    lookups = services.premises_lookups(township_ids=[area["home"].pk])
    locked = services.premises_lock(ids=[premises.pk])
    changed = services.premises_revise(
        premises=locked[premises.pk], data={"risk_level": RISK.HIGH}, by=center, lookups=lookups
    )
    built = [
        services.premises_build(**_kwargs(area, name=f"单位{i}", by=center), lookups=lookups)
        for i in range(3)
    ]

    # Savepoints around, the premises inserted, their history, the update and its history.
    with django_assert_num_queries(6):
        services.premises_save_many(created=built, updated=[changed], fields=["risk_level"], by=center)

    assert Premises.objects.count() == 4
    for new in built:
        assert new.pk is not None
        assert [(h.history_type, h.history_user) for h in new.history.all()] == [("+", center)]
    premises.refresh_from_db()
    assert (premises.risk_level, premises.next_inspection_due) == (RISK.HIGH, dt.date(2021, 12, 1))
    latest = premises.history.latest()
    assert (latest.history_type, latest.history_user, latest.risk_level) == ("~", center, RISK.HIGH)
