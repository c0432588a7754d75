import pytest

from core.models import Role
from inspections import services
from tests.factories import (
    CampaignFactory,
    ChecklistItemFactory,
    CountyFactory,
    PoliceStationFactory,
    PremisesFactory,
    TownshipFactory,
    make_user,
)
from tests.inspections.factories import snapshot


@pytest.fixture
def county():
    return CountyFactory()


@pytest.fixture
def township(county):
    return TownshipFactory(county=county, name="褚庙乡")


@pytest.fixture
def other_township(county):
    return TownshipFactory(county=county, name="北关镇")


@pytest.fixture
def premises(township):
    return PremisesFactory(township=township, name="褚庙乡供销超市")


@pytest.fixture
def other_premises(other_township):
    return PremisesFactory(township=other_township, name="北关镇农资仓库")


@pytest.fixture
def station(county, township):
    station = PoliceStationFactory(county=county, name="褚庙派出所")
    station.townships.add(township)
    return station


@pytest.fixture
def other_station(county, other_township):
    station = PoliceStationFactory(county=county, name="北关派出所")
    station.townships.add(other_township)
    return station


@pytest.fixture
def items():
    return [
        ChecklistItemFactory(code="A01", text="安全出口畅通", order=1),
        ChecklistItemFactory(code="A02", text="灭火器在有效期内", order=2),
        ChecklistItemFactory(code="A03", text="电气线路无私拉乱接", order=3),
    ]


@pytest.fixture
def inactive_item():
    return ChecklistItemFactory(code="Z99", text="已停用的检查项", is_active=False)


@pytest.fixture
def campaign(county):
    return CampaignFactory(county=county)


@pytest.fixture
def user():
    """Who acts in the service tests: the guidance center, whom the access policy lets do anything."""
    return make_user(Role.GUIDANCE_CENTER, username="zhao")


@pytest.fixture
def plan(campaign, township, premises, user):
    return services.inspection_plan_create(
        campaign=campaign,
        township=township,
        title="褚庙乡冬春检查",
        due_on=campaign.starts_on.replace(month=12, day=31),
        premises=[premises],
        by=user,
    )


@pytest.fixture
def unchanged():
    """`with unchanged(): <refused call>` asserts the call wrote nothing anywhere."""

    class _Unchanged:
        def __enter__(self):
            self.before = snapshot()
            return self

        def __exit__(self, *exc):
            assert snapshot() == self.before
            return False

    return _Unchanged
