"""The county map: premises by risk with their open hazards, brigades and their coverage, and the
premises no built brigade reaches, each reader seeing what their scope allows."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core import geo
from core.models import Role
from leaders.map import county_map
from tests import factories as f

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 12, 3)
# The brigade of 北关镇 stands here; one degree of latitude is 111.195 km along a meridian.
BASE_LON, BASE_LAT = 115.1, 34.6
KM = 1 / 111.1951


def north(km):
    return {"longitude": Decimal(str(BASE_LON)), "latitude": Decimal(str(round(BASE_LAT + km * KM, 6)))}


@pytest.fixture
def county():
    beiguan = f.TownshipFactory(name="北关镇", boundary=None)
    chumiao = f.TownshipFactory(name="褚庙乡", county=beiguan.county)
    f.BrigadeFactory(
        township=beiguan,
        name="北关镇专职消防队",
        status="established",
        established_on=dt.date(2021, 6, 1),
        **north(0),
    )
    # Planned: drawn, but it covers nothing yet.
    f.BrigadeFactory(township=chumiao, name="褚庙乡专职消防队", status="planned", **north(30))
    near = f.PremisesFactory(township=beiguan, name="北关集贸市场", risk_level="high", **north(3))
    far = f.PremisesFactory(township=beiguan, name="北关农资仓库", risk_level="low", **north(8))
    f.PremisesFactory(township=beiguan, name="未定位的商铺")
    # 褚庙乡's premises near 北关镇's brigade: covered by it, though another township's.
    f.PremisesFactory(township=chumiao, name="褚庙敬老院", **north(4))
    f.PremisesFactory(township=chumiao, name="褚庙面粉厂", **north(29))
    inspection = f.InspectionFactory(premises=near, inspected_on=dt.date(2026, 11, 20))
    f.HazardFactory(inspection=inspection, severity="major", deadline=dt.date(2026, 11, 27))  # overdue
    f.HazardFactory(inspection=inspection, deadline=dt.date(2026, 12, 10))  # open, not overdue
    f.HazardFactory(
        inspection=inspection,
        deadline=dt.date(2026, 11, 27),
        status="verified",
        verified_on=dt.date(2026, 11, 25),
    )
    return beiguan.county, beiguan, chumiao, near, far


def official(county):
    return f.make_user(Role.COUNTY_OFFICIAL, county=county)


def test_the_county_sees_every_premises_and_those_beyond_cover_by_the_rule(county):
    c, _beiguan, _chumiao, _near, _far = county
    data = county_map(user=official(c), county=c, on=ON)
    assert data.premises_total == 5
    assert data.unlocated == 1
    by_name = {p.name: p for p in data.premises}
    assert set(by_name) == {"北关集贸市场", "北关农资仓库", "褚庙敬老院", "褚庙面粉厂"}
    assert by_name["北关集贸市场"].nearest_km == pytest.approx(3, abs=0.01)
    assert by_name["北关集贸市场"].nearest_brigade == "北关镇专职消防队"
    # Beyond 5 km (the county's default radius), farthest first; the planned brigade covers nothing.
    assert [(p.name, round(p.nearest_km, 1)) for p in data.beyond_cover] == [
        ("褚庙面粉厂", 29.0),
        ("北关农资仓库", 8.0),
    ]
    brigades = {b.name: b.covers for b in data.brigades}
    assert brigades == {"北关镇专职消防队": True, "褚庙乡专职消防队": False}
    chart = data.chart()
    assert len(chart["circles"]) == 1
    # A coverage ring lies at the radius all round.
    centre = geo.Point(BASE_LON, BASE_LAT)
    for lon, lat in chart["circles"][0]:
        assert geo.distance_km(centre, geo.Point(lon, lat)) == pytest.approx(5, abs=0.01)


def test_hazards_on_the_map_are_the_open_ones_by_the_county_definitions(county):
    c, *_ = county
    data = county_map(user=official(c), county=c, on=ON)
    hazards = {p.name: p.hazards for p in data.premises}
    market = hazards["北关集贸市场"]
    assert (market.open, market.overdue, market.major) == (2, 1, 1)
    assert hazards["北关农资仓库"] is None
    # The day after the other deadline, both are overdue.
    later = county_map(user=official(c), county=c, on=dt.date(2026, 12, 11))
    market = {p.name: p.hazards for p in later.premises}["北关集贸市场"]
    assert (market.open, market.overdue, market.major) == (2, 2, 1)


def test_the_radius_is_the_countys_own(county):
    c, *_ = county
    c.brigade_coverage_km = Decimal("10")
    c.save()
    data = county_map(user=official(c), county=c, on=ON)
    assert [p.name for p in data.beyond_cover] == ["褚庙面粉厂"]
    assert data.coverage_label == "10"


def test_without_a_built_brigade_every_located_premises_is_beyond_cover(county):
    c, beiguan, *_ = county
    beiguan.brigades.update(status="under_construction", established_on=None)
    data = county_map(user=official(c), county=c, on=ON)
    assert len(data.beyond_cover) == 4
    assert all(p.nearest_km is None and p.nearest_brigade is None for p in data.beyond_cover)
    assert data.chart()["circles"] == []


def test_a_township_lead_sees_their_township_and_another_townships_brigade_unnamed(county):
    c, _beiguan, chumiao, *_ = county
    lead = f.make_user(Role.TOWNSHIP_LEAD, township=chumiao)
    data = county_map(user=lead, county=c, on=ON)
    assert {p.name for p in data.premises} == {"褚庙敬老院", "褚庙面粉厂"}
    assert data.premises_total == 2
    # Covered by 北关镇's brigade, as on the county's map, but it is not named to 褚庙乡.
    home = {p.name: p for p in data.premises}["褚庙敬老院"]
    assert home.nearest_km == pytest.approx(4, abs=0.01)
    assert home.nearest_brigade == "其他乡镇的队伍"
    assert [p.name for p in data.beyond_cover] == ["褚庙面粉厂"]
    assert [b.name for b in data.brigades] == ["褚庙乡专职消防队"]


def test_the_map_page_by_role(county, client):
    c, _beiguan, chumiao, near, _far = county
    client.force_login(official(c))
    page = client.get("/map/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="map-data"' in text
    assert "vendor/echarts.min.js" in text
    assert "距已建成消防队超过 5 公里的单位：2 家" in text
    assert "已定位单位 4 家（共 5 家，未定位 1 家）" in text
    assert "以下乡镇尚未上传边界" in text  # no boundaries yet: said so

    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=chumiao))
    text = client.get("/map/").content.decode()
    assert "褚庙面粉厂" in text
    assert "北关农资仓库" not in text
    assert "北关镇专职消防队" not in text

    client.force_login(f.make_user(Role.POLICE_STATION, police_station=f.PoliceStationFactory(county=c)))
    assert client.get("/map/").status_code == 403
    client.force_login(f.make_user(Role.PREMISES_RESPONSIBLE, premises=near))
    assert client.get("/map/").status_code == 403
    client.logout()
    assert client.get("/map/").status_code == 302


def test_a_county_official_cannot_ask_for_another_county(county, client):
    c, *_ = county
    other = f.TownshipFactory(name="城关镇", county=f.CountyFactory(name="睢县")).county
    client.force_login(official(c))
    assert client.get(f"/map/?county={other.pk}").status_code == 404
    assert client.get("/map/?county=x").status_code == 404


def test_the_list_beyond_cover_exports_to_excel(county, client):
    c, *_ = county
    client.force_login(official(c))
    response = client.get("/map/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = [row[0] for row in rows]
    assert "褚庙面粉厂" in names
    assert "北关农资仓库" in names
    assert "北关集贸市场" not in names


def test_the_map_reads_in_the_same_number_of_queries_however_many_premises(county, client):
    c, beiguan, *_ = county
    client.force_login(official(c))
    client.get("/map/")  # warm the session and the menu

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/map/").status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for n in range(6):
        premises = f.PremisesFactory(township=beiguan, **north(n + 1))
        f.HazardFactory(inspection=f.InspectionFactory(premises=premises, inspected_on=dt.date(2026, 11, 1)))
    f.BrigadeFactory(
        township=beiguan,
        status="accepted",
        established_on=dt.date(2021, 6, 1),
        accepted_on=dt.date(2021, 7, 1),
        **north(12),
    )
    assert queries() == before
