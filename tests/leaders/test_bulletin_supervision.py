"""The 通报 names the hazards listed for supervision (挂牌督办) at the end of its period, and its
requirement claims 挂牌督办 only when the county has listed some: page and PDF, Chinese and English."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from core.models import Role
from inspections import services
from inspections.models import Hazard
from leaders import bulletin
from tests import factories as f
from tests.inspections.factories import open_hazard
from townships.models import County, Premises

PAGE, PDF = "/reports/bulletin/", "/reports/bulletin.pdf"
SEASON = {"start": "2021-11-01", "end": "2022-04-30"}
END = dt.date(2022, 4, 30)


@pytest.fixture(autouse=True)
def _restore_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def county(demo):
    return County.objects.get(name="民权县")


@pytest.fixture
def official(county):
    return f.make_user(Role.COUNTY_OFFICIAL, county=county)


def _major_hazards(county, n: int) -> list[Hazard]:
    """`n` open major hazards of the county found in the period, recorded through the services."""
    premises = Premises.objects.filter(township__county=county).order_by("id")[:n]
    return [
        open_hazard(premises=p, severity=Hazard.Severity.MAJOR, description=f"重大隐患{i}")
        for i, p in enumerate(premises)
    ]


@pytest.fixture
def listings(county, official):
    """One listing overdue at the period's end, one within its deadline, one lifted before the end
    and one listed after it: the 通报 names the first two."""
    overdue, within, lifted, later = _major_hazards(county, 4)
    listed_on = END - dt.timedelta(days=20)

    def supervise(hazard, leader, deadline, on=listed_on):
        return services.hazard_supervise(
            hazard=hazard, leader=leader, deadline=deadline, listed_on=on, by=official
        )

    a = supervise(overdue, "督办甲", END - dt.timedelta(days=6))
    b = supervise(within, "督办乙", END + dt.timedelta(days=10))
    c = supervise(lifted, "督办丙", END)
    services.supervision_lift(
        supervision=c, reason="已整改", lifted_on=END - dt.timedelta(days=1), by=official
    )
    supervise(later, "督办丁", END + dt.timedelta(days=30), on=END + dt.timedelta(days=1))
    return a, b


def _build(official, county) -> bulletin.Bulletin:
    return bulletin.county_bulletin(user=official, county=county, start=dt.date(2021, 11, 1), end=END, on=END)


def _section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</(table|p)>', page, re.S)
    assert match, testid
    return match.group(0)


@pytest.mark.django_db
def test_the_bulletin_lists_the_hazards_listed_at_the_end_of_its_period(official, county, listings):
    overdue, within = listings
    data = _build(official, county)
    assert [(s.supervision.pk, s.days_overdue) for s in data.supervised] == [(overdue.pk, 6), (within.pk, 0)]
    with translation.override("zh-hans"):
        assert "全县挂牌督办重大火灾隐患2处，其中超过督办期限仍未整改销号1处（见下表）。" in data.hazards_text
        assert "已挂牌督办的2处重大火灾隐患" in data.hazards_requirement_text
    with translation.override("en"):
        assert (
            "2 major hazards were listed for supervision in the county, 1 of them past its deadline"
            in data.hazards_text
        )
        assert "the 2 major hazards listed for supervision" in data.hazards_requirement_text


@pytest.mark.django_db
def test_the_bulletin_claims_no_listing_when_the_county_has_none(official, county):
    data = _build(official, county)
    assert data.supervised == []
    with translation.override("zh-hans"):
        assert "挂牌督办" not in data.hazards_text
        assert "挂牌督办" not in data.hazards_requirement_text
        assert data.hazards_requirement_text.startswith("（二）加快隐患整改销号。")
    with translation.override("en"):
        assert "supervision" not in data.hazards_text
        assert "supervision" not in data.hazards_requirement_text


@pytest.mark.django_db
def test_a_verified_hazard_still_listed_is_not_overdue(official, county, listings):
    overdue, _within = listings
    Hazard.objects.filter(pk=overdue.hazard_id).update(status=Hazard.Status.VERIFIED, verified_on=END)
    data = _build(official, county)
    assert [s.days_overdue for s in data.supervised] == [0, 0]
    with translation.override("zh-hans"):
        assert "全县挂牌督办重大火灾隐患2处，均在督办期限内（见下表）。" in data.hazards_text


@pytest.mark.django_db
def test_the_page_names_each_listing_with_its_leader_deadline_and_state(client, official, listings):
    overdue, _within = listings
    client.force_login(official)
    page = client.get(PAGE, SEASON).content.decode()
    table = _section(page, "table-supervised")
    rows = re.findall(r'data-testid="supervised-hazard">(.*?)</tr>', table, re.S)
    assert len(rows) == 2
    assert overdue.hazard.premises.name in rows[0]
    assert "督办甲" in rows[0]
    assert "2022年4月24日" in rows[0]
    assert "逾期6天" in rows[0]
    assert f"/inspections/hazards/{overdue.hazard_id}/" in rows[0]
    assert "督办乙" in rows[1]
    assert "未逾期" in rows[1]
    assert "督办丙" not in table
    assert "督办丁" not in table
    assert "已挂牌督办的2处重大火灾隐患" in _section(page, "requirement-hazards")

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(PAGE, SEASON).content.decode()
    table = _section(english, "table-supervised")
    assert "Responsible leader" in english
    assert "6 days overdue" in table
    assert "Not overdue" in table


@pytest.mark.django_db
def test_the_pdf_names_the_listings_in_both_languages(client, official, listings):
    client.force_login(official)
    response = client.get(PDF, SEASON)
    assert response.status_code == 200, response.content[:500]
    text = re.sub(
        r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert "挂牌督办重大火灾隐患" in text
    assert "督办甲" in text
    assert "逾期6天" in text
    assert "已挂牌督办的2处重大火灾隐患" in text

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(PDF, SEASON)
    flat = re.sub(
        r"\s+", " ", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert "listed for supervision" in flat
    assert "督办甲" in flat
