import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.models import Role
from firebrigade import selectors, services
from firebrigade.models import (
    Brigade,
    BrigadeClass,
    EquipmentItem,
    EquipmentType,
    FireIncident,
    FundingCategory,
)
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    CountyFactory,
    EquipmentItemFactory,
    EquipmentRequirementFactory,
    EquipmentTypeFactory,
    FireIncidentFactory,
    FundingAllocationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
    make_user,
)
from tests.firebrigade.factories import class2_standard, staff, vehicle_type

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def county():
    """褚庙乡 has a class-2 brigade short of staff, station area and pumps that also serves 花园乡;
    北关镇 has a planned class-1 brigade with no standard; 花园乡 has none of its own."""
    county = CountyFactory()
    chumiao = TownshipFactory(county=county, name="褚庙乡")
    beiguan = TownshipFactory(county=county, name="北关镇")
    huayuan = TownshipFactory(county=county, name="花园乡")

    standard = class2_standard()
    pump = EquipmentTypeFactory(name="手抬机动泵", category=EquipmentType.Category.PUMP)
    breathing = EquipmentTypeFactory(name="正压式空气呼吸器", category=EquipmentType.Category.BREATHING)
    EquipmentRequirementFactory(standard=standard, equipment_type=pump, quantity=2)
    EquipmentRequirementFactory(standard=standard, equipment_type=breathing, quantity=6)

    brigade = BrigadeFactory(
        township=chumiao,
        name="褚庙乡专职消防队",
        status=Brigade.Status.ESTABLISHED,
        construction_started_on=dt.date(2021, 3, 1),
        established_on=dt.date(2021, 9, 1),
        station_area_m2=250,
    )
    brigade.also_serves.add(huayuan)
    staff(brigade, 5)
    BrigadeMemberFactory(brigade=brigade, left_on=dt.date(2021, 8, 1), on_duty=False)
    BrigadeMemberFactory(brigade=brigade, on_duty=False)
    truck = vehicle_type()
    EquipmentItemFactory(brigade=brigade, equipment_type=truck, quantity=1)
    EquipmentItemFactory(
        brigade=brigade, equipment_type=truck, quantity=1, condition=EquipmentItem.Condition.NEEDS_REPAIR
    )
    EquipmentItemFactory(brigade=brigade, equipment_type=pump, quantity=1)
    EquipmentItemFactory(
        brigade=brigade, equipment_type=pump, quantity=3, condition=EquipmentItem.Condition.SCRAPPED
    )
    EquipmentItemFactory(brigade=brigade, equipment_type=breathing, quantity=3)
    EquipmentItemFactory(brigade=brigade, equipment_type=breathing, quantity=3)

    planned = BrigadeFactory(township=beiguan, name="北关镇专职消防队", brigade_class=BrigadeClass.CLASS_1)
    staff(planned, 2)

    return {
        "county": county,
        "chumiao": chumiao,
        "beiguan": beiguan,
        "huayuan": huayuan,
        "brigade": brigade,
        "planned": planned,
    }


def _with_profile(user):
    """The user as a request has it: profile (or its absence) loaded with the user."""
    return type(user).objects.select_related("profile").get(pk=user.pk)


@pytest.fixture
def admin_user():
    return _with_profile(UserFactory(is_superuser=True, is_staff=True))


def _lead(township):
    return _with_profile(make_user(Role.TOWNSHIP_LEAD, township=township))


# --- township_brigade_gaps ------------------------------------------------------------------


def test_brigade_gaps_compare_staff_vehicles_station_and_equipment_with_the_standard(county, admin_user):
    rows = {row.township.name: row for row in selectors.township_brigade_gaps(user=admin_user)}

    chumiao = rows["褚庙乡"]
    assert len(chumiao.brigades) == 1
    gap = chumiao.brigades[0]
    assert gap.status == Brigade.Status.ESTABLISHED
    assert gap.status_label == "已建成"
    assert (gap.active_staff, gap.min_staff, gap.staff_gap) == (5, 8, 3)
    assert (gap.vehicles, gap.min_vehicles, gap.vehicle_gap) == (1, 1, 0)
    assert (gap.station_area_m2, gap.min_station_area_m2, gap.station_area_gap) == (250, 300, 50)
    equipment = {e.equipment_type.name: (e.required, e.held, e.gap) for e in gap.equipment}
    assert equipment == {"手抬机动泵": (2, 1, 1), "正压式空气呼吸器": (6, 6, 0)}


def test_brigade_gaps_show_a_class_without_standard_and_a_township_without_brigade(county, admin_user):
    rows = {row.township.name: row for row in selectors.township_brigade_gaps(user=admin_user)}

    beiguan = rows["北关镇"].brigades[0]
    assert beiguan.status == Brigade.Status.PLANNED
    assert beiguan.has_standard is False
    assert (beiguan.active_staff, beiguan.min_staff, beiguan.staff_gap) == (2, None, None)
    assert beiguan.equipment == []

    huayuan = rows["花园乡"]
    assert huayuan.brigades == []
    assert [b.name for b in huayuan.shared_brigades] == ["褚庙乡专职消防队"]
    assert huayuan.has_brigade


def test_brigade_gaps_are_scoped_and_can_be_limited_to_townships(county, admin_user):
    lead = _lead(county["chumiao"])

    assert [r.township.name for r in selectors.township_brigade_gaps(user=lead)] == ["褚庙乡"]
    limited = selectors.township_brigade_gaps(user=admin_user, township_ids=[county["beiguan"].pk])
    assert [r.township.name for r in limited] == ["北关镇"]
    assert selectors.township_brigade_gaps(user=UserFactory()) == []


def _grow(county, n):
    """n more townships, each with a brigade, members, vehicles and pumps, sharing service."""
    pump = EquipmentTypeFactory(name="手抬机动泵")
    for i in range(n):
        township = TownshipFactory(county=county["county"])
        brigade = BrigadeFactory(township=township, brigade_class=BrigadeClass.CLASS_2)
        brigade.also_serves.add(county["chumiao"])
        staff(brigade, 3)
        EquipmentItemFactory(brigade=brigade, equipment_type=vehicle_type(), quantity=i + 1)
        EquipmentItemFactory(brigade=brigade, equipment_type=pump, quantity=2)
        FundingAllocationFactory(township=township, year=2021, amount=Decimal(1000 * (i + 1)))
        FireIncidentFactory(township=township)
    extra = BrigadeFactory(township=county["chumiao"])
    staff(extra, 4)


def _read_gaps(user):
    rows = selectors.township_brigade_gaps(user=user)
    # Everything a report shows must already be loaded.
    return [
        (
            r.township.name,
            r.township.county.name,
            [
                (b.brigade.name, b.staff_gap, [(e.equipment_type.name, e.gap) for e in b.equipment])
                for b in r.brigades
            ],
            [b.name for b in r.shared_brigades],
        )
        for r in rows
    ]


# One township seen (a lead's): its own and its sharing brigades are read in one query. The
# standards come with the brigades (one JSON subquery), not in a query of their own.
@pytest.mark.parametrize(("role", "queries"), [("superuser", 5), ("township_lead", 4)])
def test_brigade_gaps_run_a_fixed_number_of_queries_whatever_the_number_of_rows(
    county, django_assert_num_queries, role, queries
):
    user = _with_profile(UserFactory(is_superuser=True)) if role == "superuser" else _lead(county["chumiao"])

    with django_assert_num_queries(queries):
        small = _read_gaps(user)
    _grow(county, 12)
    with django_assert_num_queries(queries):
        large = _read_gaps(user)

    if role == "superuser":
        assert len(large) == len(small) + 12
    else:
        assert len(large[0][2]) == 2  # the lead's township now has two brigades
        assert len(large[0][3]) == 12  # and twelve that also serve it


def _gap_figures(row, *, equipment=True):
    return (
        row.township.pk,
        [
            (
                (b.brigade.pk, b.status, b.status_label, b.has_standard, b.active_staff, b.min_staff),
                (b.staff_gap, b.vehicles, b.min_vehicles, b.vehicle_gap),
                (b.station_area_m2, b.min_station_area_m2, b.station_area_gap),
                [(e.equipment_type.pk, e.required, e.held, e.gap) for e in b.equipment] if equipment else [],
            )
            for b in row.brigades
        ],
        [b.pk for b in row.shared_brigades],
    )


def test_brigade_gaps_of_one_township_are_those_of_the_county_view(county, admin_user):
    _grow(county, 3)
    county["brigade"].also_serves.add(county["chumiao"])  # serving its own township too: listed twice
    every = {row.township.pk: row for row in selectors.township_brigade_gaps(user=admin_user)}

    for pk, row in every.items():
        (alone,) = selectors.township_brigade_gaps(user=admin_user, township_ids=[pk])
        assert _gap_figures(alone) == _gap_figures(row)
        (light,) = selectors.township_brigade_gaps(user=admin_user, township_ids=[pk], equipment=False)
        assert all(b.equipment == [] for b in light.brigades)
        assert _gap_figures(light) == _gap_figures(row, equipment=False)
    assert len(every[county["chumiao"].pk].shared_brigades) == 4


def test_brigade_gaps_without_equipment_run_two_queries(county, admin_user, django_assert_num_queries):
    with django_assert_num_queries(2):  # the township, its brigades (own and sharing, with standards)
        selectors.township_brigade_gaps(user=admin_user, township_ids=[county["chumiao"].pk], equipment=False)


# --- funding_summary ------------------------------------------------------------------------


def _fund(county):
    personnel = services.funding_allocate(
        township=county["chumiao"], year=2021, category=FundingCategory.PERSONNEL, amount=Decimal("100000")
    )
    office = services.funding_allocate(
        township=county["chumiao"], year=2021, category=FundingCategory.OFFICE, amount=Decimal("20000")
    )
    services.funding_allocate(
        township=county["chumiao"], year=2020, category=FundingCategory.PERSONNEL, amount=Decimal("90000")
    )
    services.funding_allocate(
        township=county["beiguan"], year=2021, category=FundingCategory.EQUIPMENT, amount=Decimal("50000")
    )
    services.disbursement_record(
        allocation=personnel, amount=Decimal("60000"), disbursed_on=dt.date(2021, 12, 1), by=None
    )
    services.disbursement_record(
        allocation=office, amount=Decimal("20000"), disbursed_on=dt.date(2021, 12, 1), by=None
    )


def test_funding_summary_adds_up_allocated_and_disbursed_per_township(county, admin_user):
    _fund(county)

    rows = {t.name: t for t in selectors.funding_summary(user=admin_user, year=2021)}

    chumiao = rows["褚庙乡"]
    assert (chumiao.allocated, chumiao.disbursed) == (Decimal("120000"), Decimal("80000"))
    assert chumiao.ratio.quantize(Decimal("0.0001")) == Decimal("0.6667")
    assert (chumiao.allocated_personnel, chumiao.disbursed_personnel) == (Decimal("100000"), Decimal("60000"))
    assert (chumiao.allocated_office, chumiao.disbursed_office) == (Decimal("20000"), Decimal("20000"))
    assert chumiao.allocated_equipment == 0
    beiguan = rows["北关镇"]
    assert (beiguan.allocated, beiguan.disbursed, beiguan.ratio) == (Decimal("50000"), 0, 0)
    huayuan = rows["花园乡"]
    assert (huayuan.allocated, huayuan.disbursed, huayuan.ratio) == (0, 0, None)


def test_funding_summary_is_scoped_to_the_users_township(county):
    _fund(county)

    rows = list(selectors.funding_summary(user=_lead(county["beiguan"]), year=2021))

    assert [(t.name, t.allocated) for t in rows] == [("北关镇", Decimal("50000"))]


def test_funding_summary_is_one_query_whatever_the_number_of_rows(
    county, admin_user, django_assert_num_queries
):
    _fund(county)
    with django_assert_num_queries(1):
        small = list(selectors.funding_summary(user=admin_user, year=2021))
    _grow(county, 10)
    with django_assert_num_queries(1):
        large = list(selectors.funding_summary(user=admin_user, year=2021))
    assert len(large) == len(small) + 10


# --- brigade_list / incident_list -----------------------------------------------------------


def test_brigade_list_carries_staff_vehicles_and_standard_and_filters(county, admin_user):
    brigades = {b.name: b for b in selectors.brigade_list(user=admin_user)}

    chumiao = brigades["褚庙乡专职消防队"]
    assert (chumiao.active_staff, chumiao.good_vehicles, chumiao.min_staff) == (5, 1, 8)
    assert brigades["北关镇专职消防队"].min_staff is None
    planned = selectors.brigade_list(user=admin_user, filters={"status": Brigade.Status.PLANNED})
    assert [b.name for b in planned] == ["北关镇专职消防队"]
    by_class = selectors.brigade_list(user=admin_user, filters={"brigade_class": BrigadeClass.CLASS_2})
    assert [b.name for b in by_class] == ["褚庙乡专职消防队"]
    assert [b.name for b in selectors.brigade_list(user=_lead(county["beiguan"]))] == ["北关镇专职消防队"]


def test_brigade_list_is_one_query_whatever_the_number_of_rows(county, admin_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        small = [(b.township.name, b.active_staff) for b in selectors.brigade_list(user=admin_user)]
    _grow(county, 10)
    with django_assert_num_queries(1):
        large = [(b.township.name, b.active_staff) for b in selectors.brigade_list(user=admin_user)]
    assert len(large) == len(small) + 11


@pytest.fixture
def incidents(county):
    premises = PremisesFactory(township=county["chumiao"], name="褚庙乡敬老院")
    at = lambda *args: dt.datetime(*args, tzinfo=SHANGHAI)  # noqa: E731
    return {
        "premises": premises,
        "stove": FireIncidentFactory(
            township=county["chumiao"], occurred_at=at(2022, 1, 15, 20, 30), cause=FireIncident.Cause.HEATING
        ),
        "wiring": FireIncidentFactory(
            township=county["chumiao"],
            premises=premises,
            occurred_at=at(2021, 12, 1, 0, 30),  # 2021-11-30 16:30 UTC: the local date counts
            cause=FireIncident.Cause.ELECTRICAL,
        ),
        "straw": FireIncidentFactory(
            township=county["beiguan"],
            occurred_at=at(2022, 2, 1, 10, 0),
            cause=FireIncident.Cause.STRAW_BURNING,
        ),
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["straw", "stove", "wiring"]),
        ({"cause": FireIncident.Cause.HEATING}, ["stove"]),
        ({"date_from": dt.date(2022, 1, 1)}, ["straw", "stove"]),
        ({"date_from": dt.date(2021, 12, 1), "date_to": dt.date(2021, 12, 1)}, ["wiring"]),
        ({"date_to": dt.date(2021, 11, 30)}, []),
    ],
)
def test_incident_list_filters_by_cause_and_local_date_range(incidents, admin_user, filters, expected):
    names = {v.pk: k for k, v in incidents.items() if k != "premises"}

    result = [names[i.pk] for i in selectors.incident_list(user=admin_user, filters=filters)]

    assert result == expected


def test_incident_list_is_scoped(county, incidents):
    by_township = selectors.incident_list(user=_lead(county["beiguan"]))
    owner = make_user(Role.PREMISES_RESPONSIBLE, premises=incidents["premises"])

    assert list(by_township) == [incidents["straw"]]
    assert list(selectors.incident_list(user=owner)) == [incidents["wiring"]]
    assert list(
        selectors.incident_list(user=UserFactory(is_superuser=True), filters={"township": county["beiguan"]})
    ) == [incidents["straw"]]


def test_incident_list_is_one_query_whatever_the_number_of_rows(
    county, incidents, admin_user, django_assert_num_queries
):
    def read():
        return [
            (i.township.name, i.premises and i.premises.name, i.responding_brigade)
            for i in selectors.incident_list(user=admin_user)
        ]

    with django_assert_num_queries(1):
        small = read()
    _grow(county, 10)
    with django_assert_num_queries(1):
        large = read()
    assert len(large) == len(small) + 10
