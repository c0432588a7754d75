import datetime as dt

import pytest

from core.models import Role
from tests.factories import CountyFactory, DirectiveFactory, MeetingFactory, TownshipFactory, make_user

MEETING_DAY = dt.date(2021, 11, 17)


@pytest.fixture
def county():
    return CountyFactory(name="民权县")


@pytest.fixture
def other_county():
    return CountyFactory(name="宁陵县")


@pytest.fixture
def chumiao(county):
    return TownshipFactory(county=county, name="褚庙乡", principal_leader="褚书记")


@pytest.fixture
def beiguan(county):
    return TownshipFactory(county=county, name="北关镇", principal_leader="北书记")


@pytest.fixture
def huayuan(county):
    return TownshipFactory(county=county, name="花园乡", principal_leader="花书记")


@pytest.fixture
def foreign_township(other_county):
    return TownshipFactory(county=other_county, name="外县乡", principal_leader="外书记")


@pytest.fixture
def meeting(county):
    return MeetingFactory(county=county, sub_venues="褚庙乡分会场\n北关镇分会场")


@pytest.fixture
def directive(meeting):
    return DirectiveFactory(meeting=meeting, number=1)


@pytest.fixture
def office(county):
    """县消防工作办公室: a county official of the meeting's county."""
    return make_user(Role.COUNTY_OFFICIAL, username="county-office", county=county)


@pytest.fixture
def lead(chumiao):
    return make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=chumiao)
