import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.models import Role
from tests.factories import (
    CountyFactory,
    GridFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from townships import selectors
from townships.filters import PremisesFilter
from townships.models import Premises
from townships.page_filters import PremisesPageFilter

pytestmark = pytest.mark.django_db

RISK = Premises.RiskLevel
ON = dt.date(2021, 12, 1)


@pytest.fixture
def county():
    """Two townships; 褚庙乡 with two grids and three premises, 北关镇 with one premises."""
    county = CountyFactory()
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    beiguan = TownshipFactory(county=county, name="北关镇")
    grid_a = GridFactory(township=chumiao, name="甲网格")
    grid_b = GridFactory(township=chumiao, name="乙网格")
    overdue = PremisesFactory(
        township=chumiao,
        grid=grid_a,
        name="超市",
        risk_level=RISK.HIGH,
        category=Premises.Category.SHOP,
        last_inspected_on=dt.date(2021, 10, 1),
        next_inspection_due=dt.date(2021, 10, 31),
    )
    never = PremisesFactory(
        township=chumiao, grid=grid_b, name="学校", risk_level=RISK.MEDIUM, category=Premises.Category.SCHOOL
    )
    later = PremisesFactory(
        township=chumiao,
        grid=grid_b,
        name="仓库",
        risk_level=RISK.LOW,
        category=Premises.Category.WAREHOUSE,
        last_inspected_on=dt.date(2021, 11, 20),
        next_inspection_due=dt.date(2022, 5, 19),
    )
    elsewhere = PremisesFactory(
        township=beiguan,
        name="工厂",
        risk_level=RISK.HIGH,
        last_inspected_on=dt.date(2021, 11, 1),
        next_inspection_due=dt.date(2021, 12, 1),
    )
    return {
        "county": county,
        "chumiao": chumiao,
        "beiguan": beiguan,
        "grid_a": grid_a,
        "overdue": overdue,
        "never": never,
        "later": later,
        "elsewhere": elsewhere,
    }


@pytest.fixture
def admin_user():
    return UserFactory(is_superuser=True, is_staff=True)


def test_township_list_counts_grids_and_premises(county, admin_user):
    rows = {t.name: t for t in selectors.township_list(user=admin_user)}

    assert rows["褚庙乡"].grid_count == 2
    assert rows["褚庙乡"].premises_count == 3
    assert rows["褚庙乡"].high_risk_premises_count == 1
    assert rows["北关镇"].grid_count == 1
    assert rows["北关镇"].premises_count == 1


def test_township_lead_sees_only_their_township(county):
    lead = make_user(Role.TOWNSHIP_LEAD, township=county["chumiao"])

    assert [t.name for t in selectors.township_list(user=lead)] == ["褚庙乡"]
    assert {p.name for p in selectors.premises_list(user=lead)} == {"超市", "学校", "仓库"}


def test_police_station_sees_premises_of_the_townships_it_covers(county):
    station = PoliceStationFactory(county=county["county"])
    station.townships.add(county["beiguan"])
    officer = make_user(Role.POLICE_STATION, police_station=station)

    assert [p.name for p in selectors.premises_list(user=officer)] == ["工厂"]


def test_premises_responsible_person_sees_only_their_premises(county):
    owner = make_user(Role.PREMISES_RESPONSIBLE, premises=county["never"])

    assert [p.name for p in selectors.premises_list(user=owner)] == ["学校"]
    assert [p.name for p in selectors.premises_due_for_inspection(user=owner, on=ON)] == ["学校"]


def test_a_user_without_a_role_sees_nothing(county):
    nobody = UserFactory()

    assert not selectors.township_list(user=nobody).exists()
    assert not selectors.premises_list(user=nobody).exists()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"risk_level": RISK.HIGH}, {"超市", "工厂"}),
        ({"category": Premises.Category.SCHOOL}, {"学校"}),
        ({"next_inspection_due_before": ON}, {"超市", "工厂"}),
        ({}, {"超市", "学校", "仓库", "工厂"}),
    ],
)
def test_premises_list_filters(county, admin_user, filters, expected):
    assert {p.name for p in selectors.premises_list(user=admin_user, filters=filters)} == expected


def test_premises_list_filters_by_township_and_grid(county, admin_user):
    by_township = selectors.premises_list(user=admin_user, filters={"township": county["beiguan"]})
    by_grid = selectors.premises_list(user=admin_user, filters={"grid": county["grid_a"].pk})

    assert [p.name for p in by_township] == ["工厂"]
    assert [p.name for p in by_grid] == ["超市"]


def test_premises_due_for_inspection_lists_never_inspected_first_then_most_overdue(county, admin_user):
    due = [p.name for p in selectors.premises_due_for_inspection(user=admin_user, on=ON)]

    assert due == ["学校", "超市", "工厂"]


def _grow(county, n):
    for i in range(n):
        grid = GridFactory(township=county["chumiao"])
        PremisesFactory(
            township=county["chumiao"], grid=grid, next_inspection_due=dt.date(2021, 11, 1) + dt.timedelta(i)
        )


def _read_everything(user):
    rows = list(selectors.township_list(user=user))
    premises = list(selectors.premises_due_for_inspection(user=user, on=ON))
    listed = list(selectors.premises_list(user=user, filters={"risk_level": RISK.MEDIUM}))
    # Touch the related rows a page shows: they must come from the same queries.
    shown = [(p.township.name, p.grid and p.grid.name, p.police_station) for p in premises + listed]
    return rows, premises, shown


def test_township_selectors_run_a_fixed_number_of_queries(county, django_assert_num_queries):
    lead = make_user(Role.TOWNSHIP_LEAD, township=county["chumiao"])
    lead = type(lead).objects.select_related("profile").get(pk=lead.pk)

    with django_assert_num_queries(3):
        _read_everything(lead)
    _grow(county, 15)
    with django_assert_num_queries(3):
        _, premises, _ = _read_everything(lead)
    assert len(premises) == 17


def test_the_premises_page_filters_with_the_selectors_filterset():
    """One filter language: the page's filter is the selectors' FilterSet with other widgets only."""
    assert issubclass(PremisesPageFilter, PremisesFilter)
    page, selector = PremisesPageFilter(), PremisesFilter()
    assert list(page.filters) == list(selector.filters)
    for name, filter_ in selector.filters.items():
        same = (page.filters[name].field_name, page.filters[name].lookup_expr, page.filters[name].method)
        assert same == (filter_.field_name, filter_.lookup_expr, filter_.method), name


def test_premises_list_takes_the_pages_filters_too(county, admin_user, monkeypatch):
    def names(**filters):
        return {p.name for p in selectors.premises_list(user=admin_user, filters=filters)}

    monkeypatch.setattr("townships.filters.local_today", lambda: ON)
    assert names(due="overdue") == {"超市", "学校", "工厂"}
    assert names(q="仓") == {"仓库"}
    assert names(never_inspected=True) == {"学校"}


def test_a_township_outside_the_users_area_is_not_a_filter_value(county):
    lead = make_user(Role.TOWNSHIP_LEAD, township=county["chumiao"])

    with pytest.raises(ValidationError) as excinfo:
        selectors.premises_list(user=lead, filters={"township": county["beiguan"].pk})
    assert "township" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        selectors.grid_list(user=lead, filters={"township": county["beiguan"]})
