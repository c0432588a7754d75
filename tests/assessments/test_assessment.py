"""The annual assessment (考核): automatic items follow the records, manual items need evidence, the
township's and the center's scores stay apart, ties are 并列, a township sees only itself before
publication, publication freezes the figures, and every refusal writes nothing."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessments import selectors, services
from assessments.models import AssessmentItem, AssessmentScheme, ItemScore
from core.exceptions import AccessDenied, ApplicationError
from core.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = 2025  # a finished year: its figures are as of 2025-12-31 whatever today is


@pytest.fixture
def county():
    county = f.CountyFactory(name="民权县")
    a, b, c = (f.TownshipFactory(county=county, name=name) for name in ("北关镇", "褚庙乡", "花园乡"))
    scheme = AssessmentScheme.objects.create(county=county, year=YEAR, title="2025年度消防工作考核")
    overdue = AssessmentItem.objects.create(
        scheme=scheme,
        order=1,
        title="隐患按期整改",
        points=20,
        kind="auto",
        metric="hazards_overdue",
        deduct_per_unit=5,
    )
    brigade = AssessmentItem.objects.create(
        scheme=scheme, order=2, title="专职消防队建设", points=10, kind="auto", metric="brigade_built"
    )
    publicity = AssessmentItem.objects.create(
        scheme=scheme, order=3, title="消防宣传", points=10, kind="manual", evidence_required=True
    )
    f.BrigadeStandardFactory()
    f.BrigadeFactory(
        township=a, status="accepted", established_on=dt.date(2021, 9, 30), accepted_on=dt.date(2021, 12, 20)
    )
    f.BrigadeFactory(township=b, status="planned")
    return {
        "scheme": scheme,
        "a": a,
        "b": b,
        "c": c,
        "overdue": overdue,
        "brigade": brigade,
        "publicity": publicity,
        "center": f.make_user(Role.GUIDANCE_CENTER, username="center"),
        "official": f.make_user(Role.COUNTY_OFFICIAL, username="official", county=county),
        "lead_a": f.make_user(Role.TOWNSHIP_LEAD, username="lead_a", township=a),
        "lead_b": f.make_user(Role.TOWNSHIP_LEAD, username="lead_b", township=b),
    }


def _overdue_hazard(township):
    inspection = f.InspectionFactory(
        premises=f.PremisesFactory(township=township), inspected_on=dt.date(YEAR, 6, 1)
    )
    return f.HazardFactory(inspection=inspection, deadline=dt.date(YEAR, 6, 10))


def _pdf(name="宣传照片.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def _by_name(results):
    return {r.name: r for r in results}


def _points(result, item):
    return next(i.center_points for i in result.items if i.item == item)


def test_automatic_items_follow_the_records(county):
    results = _by_name(selectors.scheme_results(scheme=county["scheme"], user=county["official"]))
    assert _points(results["北关镇"], county["overdue"]) == 20
    assert _points(results["北关镇"], county["brigade"]) == 10  # accepted
    assert _points(results["褚庙乡"], county["brigade"]) == Decimal("2.5")  # planned
    assert _points(results["花园乡"], county["brigade"]) == 0  # none
    basis = next(i.auto.basis for i in results["花园乡"].items if i.item == county["brigade"])
    assert basis == "尚未组建专职消防队"

    _overdue_hazard(county["a"])
    _overdue_hazard(county["a"])
    results = _by_name(selectors.scheme_results(scheme=county["scheme"], user=county["official"]))
    item = next(i for i in results["北关镇"].items if i.item == county["overdue"])
    assert item.center_points == 10
    assert item.auto.basis == "逾期未整改隐患 2 处，每处扣 5.0 分"


def test_the_basis_of_automatic_points_is_in_the_readers_language_and_published_in_chinese(county):
    _overdue_hazard(county["a"])
    with translation.override("en"):
        results = _by_name(selectors.scheme_results(scheme=county["scheme"], user=county["official"]))
        overdue = next(i for i in results["北关镇"].items if i.item == county["overdue"])
        assert overdue.auto.basis == "1 hazard past its rectification deadline, 5.0 points off for each"
        brigade = next(i for i in results["花园乡"].items if i.item == county["brigade"])
        assert brigade.auto.basis == "No full-time fire brigade formed yet"
        for township in results.values():
            for item in township.items:
                assert not re.search(r"[\u4e00-\u9fff：，；]", item.auto.basis if item.auto else ""), item

    # Published by an English reader, the basis is kept as the county's record: in Chinese.
    for township, points in ((county["a"], 6), (county["b"], 6), (county["c"], Decimal("8.5"))):
        services.center_score(item=county["publicity"], township=township, points=points, by=county["center"])
    with translation.override("en"):
        services.scheme_publish(scheme=county["scheme"], by=county["center"])
    kept = ItemScore.objects.get(item=county["overdue"], township=county["a"])
    assert kept.auto_basis == "逾期未整改隐患 1 处，每处扣 5.0 分"


def test_a_manual_item_needs_evidence_and_the_two_scores_stay_apart(county):
    publicity, a = county["publicity"], county["a"]
    with pytest.raises(ApplicationError, match="须上传佐证材料"):
        services.self_score(item=publicity, township=a, points=9, by=county["lead_a"])
    assert not ItemScore.objects.exists()

    services.self_score(
        item=publicity, township=a, points=9, note="开展宣传 12 场", evidence=_pdf(), by=county["lead_a"]
    )
    services.center_score(item=publicity, township=a, points=7, note="佐证只见 8 场", by=county["center"])
    row = ItemScore.objects.get()
    assert (row.self_points, row.center_points) == (9, 7)
    assert row.self_by == county["lead_a"]
    assert row.center_by == county["center"]

    (result,) = selectors.scheme_results(scheme=county["scheme"], user=county["lead_a"])
    item = next(i for i in result.items if i.item == publicity)
    assert item.differs
    assert result.self_total == 20 + 10 + 9
    assert result.total == 20 + 10 + 7  # the center's score is what counts


def test_equal_totals_are_tied_and_the_next_rank_skips(county):
    publicity = county["publicity"]
    for township, points in ((county["a"], 5), (county["b"], 10), (county["c"], Decimal("2.5"))):
        services.center_score(item=publicity, township=township, points=points, by=county["center"])
    # 北关镇 20+10+5 = 35; 褚庙乡 20+2.5+10 = 32.5; 花园乡 20+0+2.5 = 22.5
    _overdue_hazard(county["a"])  # 北关镇 30
    services.center_score(item=publicity, township=county["c"], points=10, by=county["center"])  # 花园乡 30
    results = selectors.scheme_results(scheme=county["scheme"], user=county["official"])
    assert [(r.name, r.total, r.rank, r.tied) for r in results] == [
        ("褚庙乡", Decimal("32.5"), 1, False),
        ("北关镇", Decimal("30.0"), 2, True),
        ("花园乡", Decimal("30.0"), 2, True),
    ]


def test_a_township_sees_only_itself_before_publication_and_everyone_after(county, client):
    scheme = county["scheme"]
    assert [r.name for r in selectors.scheme_results(scheme=scheme, user=county["lead_a"])] == ["北关镇"]
    with pytest.raises(AccessDenied):
        selectors.scheme_results(scheme=scheme, user=county["lead_a"], township_id=county["b"].pk)
    client.force_login(county["lead_a"])
    assert client.get(f"/assessments/{scheme.pk}/townships/{county['b'].pk}/").status_code == 403
    page = client.get(f"/assessments/{scheme.pk}/").content.decode()
    assert "北关镇" in page
    assert "褚庙乡" not in page
    assert 'data-testid="rank"' not in page  # no rank among one

    for township in (county["a"], county["b"], county["c"]):
        services.center_score(item=county["publicity"], township=township, points=8, by=county["center"])
    scheme = services.scheme_publish(scheme=scheme, by=county["center"])
    names = [r.name for r in selectors.scheme_results(scheme=scheme, user=county["lead_a"])]
    assert set(names) == {"北关镇", "褚庙乡", "花园乡"}
    page = client.get(f"/assessments/{scheme.pk}/").content.decode()
    assert "褚庙乡" in page
    assert 'data-testid="rank"' in page
    assert client.get(f"/assessments/{scheme.pk}/townships/{county['b'].pk}/").status_code == 200


def test_publication_freezes_the_automatic_points(county):
    scheme = county["scheme"]
    for township in (county["a"], county["b"], county["c"]):
        services.center_score(item=county["publicity"], township=township, points=8, by=county["center"])
    services.scheme_publish(scheme=scheme, by=county["center"])
    frozen = ItemScore.objects.get(item=county["overdue"], township=county["a"])
    assert frozen.auto_points == 20
    _overdue_hazard(county["a"])  # after publication: the published result does not move
    scheme.refresh_from_db()
    results = _by_name(selectors.scheme_results(scheme=scheme, user=county["official"]))
    assert _points(results["北关镇"], county["overdue"]) == 20


def test_refusals_write_nothing(county):
    scheme, publicity, a, b = county["scheme"], county["publicity"], county["a"], county["b"]
    with pytest.raises(AccessDenied):  # another township's self-assessment
        services.self_score(item=publicity, township=b, points=5, evidence=_pdf(), by=county["lead_a"])
    with pytest.raises(AccessDenied):  # a township does not score as the center
        services.center_score(item=publicity, township=a, points=10, by=county["lead_a"])
    with pytest.raises(AccessDenied):
        services.center_score(item=publicity, township=a, points=10, by=county["official"])
    with pytest.raises(ApplicationError, match="自动计分"):
        services.center_score(item=county["overdue"], township=a, points=20, by=county["center"])
    with pytest.raises(ApplicationError, match="0 至 10"):
        services.self_score(item=publicity, township=a, points=11, evidence=_pdf(), by=county["lead_a"])
    with pytest.raises(ApplicationError, match="未由指导中心考评"):
        services.scheme_publish(scheme=scheme, by=county["center"])
    with pytest.raises(AccessDenied):
        services.scheme_publish(scheme=scheme, by=county["official"])
    assert not ItemScore.objects.exists()
    scheme.refresh_from_db()
    assert scheme.status == "draft"

    for township in (a, b, county["c"]):
        services.center_score(item=publicity, township=township, points=8, by=county["center"])
    services.scheme_publish(scheme=scheme, by=county["center"])
    with pytest.raises(ApplicationError, match="已发布"):
        services.center_score(item=publicity, township=a, points=9, by=county["center"])
    with pytest.raises(ApplicationError, match="已发布"):
        services.item_save(
            item=AssessmentItem(scheme=scheme, title="新增", points=5, kind="manual"), by=county["center"]
        )
    assert ItemScore.objects.get(item=publicity, township=a).center_points == 8
    assert scheme.items.count() == 3


def test_the_pages_score_and_rank(county, client):
    scheme, publicity = county["scheme"], county["publicity"]
    client.force_login(county["lead_a"])
    page = client.get(f"/assessments/{scheme.pk}/townships/{county['a'].pk}/")
    assert 'data-testid="score-form"' in page.content.decode()
    answer = client.post(
        f"/assessments/{scheme.pk}/townships/{county['a'].pk}/",
        {"item": publicity.pk, "points": "9", "note": "宣传 12 场"},
    )
    assert "须上传佐证材料" in answer.content.decode()
    assert not ItemScore.objects.exists()
    answer = client.post(
        f"/assessments/{scheme.pk}/townships/{county['a'].pk}/",
        {"item": publicity.pk, "points": "9", "note": "宣传 12 场", "evidence": _pdf()},
    )
    assert answer.status_code == 302
    assert ItemScore.objects.get().self_points == 9

    client.force_login(county["center"])
    for township, points in ((county["a"], "6"), (county["b"], "6"), (county["c"], "8.5")):
        client.post(
            f"/assessments/{scheme.pk}/townships/{township.pk}/", {"item": publicity.pk, "points": points}
        )
    assert ItemScore.objects.get(township=county["a"]).self_points == 9  # the township's own score kept
    client.force_login(county["official"])
    page = client.get(f"/assessments/{scheme.pk}/").content.decode()
    # 北关镇 20+10+6 = 36; 褚庙乡 20+2.5+6 = 28.5; 花园乡 20+0+8.5 = 28.5
    assert page.count("并列第2") == 2
    assert 'data-testid="publish"' not in page  # officials read; the center publishes


def test_the_published_result_prints_to_pdf_with_every_township_and_tie(county, client):
    pypdf = pytest.importorskip("pypdf")
    scheme = county["scheme"]
    client.force_login(county["center"])
    assert client.get(f"/assessments/{scheme.pk}/pdf/").status_code == 302  # not before publication
    for township, points in ((county["a"], 6), (county["b"], 6), (county["c"], Decimal("8.5"))):
        services.center_score(item=county["publicity"], township=township, points=points, by=county["center"])
    services.scheme_publish(scheme=scheme, by=county["center"])
    response = client.get(f"/assessments/{scheme.pk}/pdf/")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("2025年度消防工作考核", "北关镇", "褚庙乡", "花园乡", "并列第2", "尚未组建专职消防队"):
        assert expected in text


def test_the_center_draws_up_a_scheme_in_the_admin(client):
    county = f.CountyFactory(name="睢县")
    center = f.make_user(Role.GUIDANCE_CENTER, username="admin_center")
    center.is_staff = center.is_superuser = True
    center.save()
    client.force_login(center)
    prefix = "items"
    data = {
        "county": county.pk,
        "year": "2026",
        "title": "2026年度消防工作考核",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-order": "1",
        f"{prefix}-0-title": "隐患按期整改",
        f"{prefix}-0-points": "20",
        f"{prefix}-0-kind": "auto",
        f"{prefix}-0-metric": "hazards_overdue",
        f"{prefix}-0-deduct_per_unit": "2",
        f"{prefix}-1-order": "2",
        f"{prefix}-1-title": "消防宣传",
        f"{prefix}-1-points": "10",
        f"{prefix}-1-kind": "manual",
        f"{prefix}-1-deduct_per_unit": "0",
        f"{prefix}-1-evidence_required": "on",
    }
    answer = client.post("/admin/assessments/assessmentscheme/add/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    scheme = AssessmentScheme.objects.get(year=2026)
    assert [(i.title, i.kind, i.metric) for i in scheme.items.all()] == [
        ("隐患按期整改", "auto", "hazards_overdue"),
        ("消防宣传", "manual", ""),
    ]


def test_the_dashboard_ranks_a_campaign_its_scheme_assesses_by_the_scheme_and_says_so(county, client):
    scheme = county["scheme"]
    campaign = f.CampaignFactory(
        county=scheme.county,
        name="2024—2025年度冬春火灾防控",
        starts_on=dt.date(2024, 11, 1),
        ends_on=dt.date(2025, 4, 30),
    )
    client.force_login(county["official"])
    page = client.get(f"/dashboard/?campaign={campaign.pk}").content.decode()
    assert "检查进度、整改率、任务办结率、经费到位率的平均值" in page  # no scheme yet: the default formula

    scheme.campaign = campaign
    scheme.save()
    for township, points in ((county["a"], 5), (county["b"], 5), (county["c"], Decimal("7.5"))):
        services.center_score(item=county["publicity"], township=township, points=points, by=county["center"])
    page = client.get(f"/dashboard/?campaign={campaign.pk}").content.decode()
    assert "综合得分为《2025年度消防工作考核》的试算总分" in page
    # 北关镇 20+10+5 = 35; 褚庙乡 20+2.5+5 = 27.5; 花园乡 20+0+7.5 = 27.5: the same totals as the assessment
    assert page.count("并列第2") == 2
    results = {r.name: r.total for r in selectors.scheme_results(scheme=scheme, user=county["official"])}
    assert results == {"北关镇": Decimal("35.0"), "褚庙乡": Decimal("27.5"), "花园乡": Decimal("27.5")}
    api = client.get(f"/api/v1/township-figures/?campaign={campaign.pk}").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert {r["township_name"]: r["score"] for r in rows} == {"北关镇": 35.0, "褚庙乡": 27.5, "花园乡": 27.5}


def test_the_ranking_page_costs_the_same_queries_as_the_county_grows(county, client):
    scheme = county["scheme"]
    client.force_login(county["official"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/assessments/{scheme.pk}/").status_code == 200
        return len(captured)

    small = queries()
    for i in range(4):
        township = f.TownshipFactory(county=scheme.county, name=f"新乡{i}")
        f.BrigadeFactory(township=township, status="planned")
        _overdue_hazard(township)
        services.center_score(item=county["publicity"], township=township, points=3, by=county["center"])
    assert queries() == small


def test_every_automatic_score_links_to_the_records_behind_it(county, client):
    hazard = _overdue_hazard(county["a"])
    client.force_login(county["official"])
    page = client.get(f"/assessments/{county['scheme'].pk}/townships/{county['a'].pk}/").content.decode()
    links = re.findall(r'href="([^"]+)" data-testid="records"', page)
    assert len(links) == 2  # the two automatic items
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200
    overdue = next(link for link in links if "overdue" in link).replace("&amp;", "&")
    assert hazard.description in client.get(overdue).content.decode()
