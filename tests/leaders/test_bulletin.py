"""The county 通报: printable page, PDF, period validation, who may read it, query counts, charts."""

import datetime as dt
import io
import re
import sys
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from core import pdf
from core.models import Role
from firebrigade.models import Brigade, EquipmentType, FireIncident
from inspections.models import Hazard
from inspections.selectors import campaign_current
from inspections.services import local_today
from leaders import bulletin as bulletin_selectors
from leaders import charts
from meetings.models import Assignment, Directive, Meeting
from tests import factories as f
from townships.models import County, Premises

PAGE, PDF = "/reports/bulletin/", "/reports/bulletin.pdf"
SEASON = {"start": "2021-11-01", "end": "2022-04-30"}  # the demo's 2021—2022 campaign


@pytest.fixture
def county(demo):
    return County.objects.get(name="民权县")


@pytest.fixture
def township_names(county):
    names = list(county.townships.order_by("name").values_list("name", flat=True))
    assert len(names) >= 19
    return names


@pytest.fixture
def official(county):
    return f.make_user(Role.COUNTY_OFFICIAL, county=county)


def _table(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</table>', page, re.S)
    assert match, testid
    return match.group(0)


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulletin_page_names_every_township_in_every_table(client, official, township_names):
    client.force_login(official)
    response = client.get(PAGE, SEASON)
    assert response.status_code == 200
    page = response.content.decode()
    assert "民权县冬春火灾防控工作通报" in page
    assert "民权县消防安全检查指导服务中心" in page
    assert "（2021年11月1日—2022年4月30日）" in page
    for heading in (
        "一、火灾情况",
        "二、专职消防队建设",
        "三、隐患排查整改",
        "四、会议任务落实",
        "五、下一步要求",
    ):
        assert heading in page
    for testid in ("table-fires", "table-brigades", "table-hazards", "table-assignments"):
        table = _table(page, testid)
        missing = [name for name in township_names if name not in table]
        assert missing == [], (testid, missing)
    # Both charts are inline SVG, drawn on the server.
    assert re.search(r'data-testid="chart-hazards"><svg[^>]+class="bar-chart"', page)
    assert re.search(r'data-testid="chart-causes"><svg[^>]+class="bar-chart"', page)
    assert f'href="{PDF}?start=2021-11-01&amp;end=2022-04-30"' in page


@pytest.mark.django_db
def test_bulletin_page_names_the_overdue_assignments_and_the_fire_with_casualties(client, official):
    client.force_login(official)
    page = client.get(PAGE, SEASON).content.decode()
    overdue = (
        Assignment.objects.filter(deadline__lt=dt.date(2022, 4, 30))
        .exclude(status="closed", closed_on__lte=dt.date(2022, 4, 30))
        .select_related("township", "directive")
    )
    table = _table(page, "table-overdue-assignments")
    assert table.count('data-testid="overdue-assignment"') == overdue.count()
    for assignment in overdue:
        assert assignment.township.name in table
        assert f'href="/trace/assignments/{assignment.pk}/"' in table
    notable = re.search(r'data-testid="notable-fires">(.*?)</p>', page, re.S).group(1)
    assert "花园乡" in notable
    assert "造成1人受伤" in notable
    assert "18.60万元" in notable


@pytest.mark.django_db
def test_bulletin_figures_match_the_records_of_the_period(official, county):
    start, end = dt.date(2021, 11, 1), dt.date(2022, 4, 30)
    data = bulletin_selectors.county_bulletin(
        user=official, county=county, start=start, end=end, on=local_today()
    )
    hazards = Hazard.objects.filter(township__county=county, discovered_on__range=(start, end))
    assert data.totals.hazards_found == hazards.count() > 0
    verified = hazards.filter(status=Hazard.Status.VERIFIED, verified_on__lte=end)
    assert data.totals.hazards_rectified == verified.count()
    overdue = hazards.filter(deadline__lt=end).exclude(pk__in=verified.values("pk"))
    assert data.totals.hazards_overdue == overdue.count()
    assert sum(r.hazards_found for r in data.rows) == data.totals.hazards_found

    fires = FireIncident.objects.filter(township__county=county)
    in_period = [i for i in fires if start <= timezone.localtime(i.occurred_at).date() <= end]
    assert data.fires.this.count == len(in_period) == 5
    assert data.fires.last.count == 0
    assert (data.fires.change.this, data.fires.change.last, data.fires.change.diff) == (5, 0, 5)  # 上升 5 起
    assert sum(c.this.count for c in data.fires_by_cause) == 5
    assert [fire.township.name for fire in data.notable_fires] == ["花园乡"]  # the one with an injury

    # Those of meetings held by the period's end (the demo's later seasons have their own).
    assignments = Assignment.objects.filter(
        township__county=county, directive__meeting__held_at__date__lte=end
    )
    assert data.totals.assignments == assignments.count()
    overdue_assignments = assignments.filter(deadline__lt=end).exclude(status="closed", closed_on__lte=end)
    assert len(data.overdue_assignments) == data.totals.assignments_overdue == overdue_assignments.count() > 0
    assert {r.name for r in data.rows} == set(county.townships.values_list("name", flat=True))


@pytest.mark.django_db
def test_bulletin_counts_fires_of_the_same_dates_a_year_before(official, county):
    township = county.townships.get(name="北关镇")
    FireIncident.objects.create(
        township=township,
        occurred_at=dt.datetime(2020, 12, 5, 10, 0, tzinfo=f.SHANGHAI),
        address="北关镇某村",
        cause=FireIncident.Cause.HEATING,
    )
    data = bulletin_selectors.county_bulletin(
        user=official, county=county, start=dt.date(2021, 11, 1), end=dt.date(2022, 4, 30), on=local_today()
    )
    row = next(r for r in data.rows if r.name == "北关镇")
    assert (row.fires.this.count, row.fires.last.count) == (1, 1)
    assert data.fires.last.count == 1
    heating = next(c for c in data.fires_by_cause if c.label == "取暖用火")
    assert heating.last.count == 1


@pytest.mark.django_db
def test_bulletin_defaults_to_the_current_campaign_up_to_today(client, official):
    client.force_login(official)
    response = client.get(PAGE)
    assert response.status_code == 200
    today = local_today()
    campaign = campaign_current(on=today, user=official)
    end = min(campaign.ends_on, today)
    period = f"（{campaign.starts_on.year}年{campaign.starts_on.month}月{campaign.starts_on.day}日—{end.year}年{end.month}月{end.day}日）"
    assert period in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.GUIDANCE_CENTER, "superuser"])
def test_guidance_center_and_superuser_read_the_bulletin(client, role, county):
    user = f.UserFactory(is_superuser=True, is_staff=True) if role == "superuser" else f.make_user(role)
    client.force_login(user)
    response = client.get(PAGE, SEASON)
    assert response.status_code == 200
    assert "民权县冬春火灾防控工作通报" in response.content.decode()


@pytest.mark.django_db
def test_township_lead_and_other_roles_may_not_read_the_bulletin(client, county):
    beiguan = county.townships.get(name="北关镇")
    station = county.police_stations.first()
    users = [
        f.make_user(Role.TOWNSHIP_LEAD, township=beiguan),
        f.make_user(Role.POLICE_STATION, police_station=station),
        f.UserFactory(),  # no role
    ]
    for user in users:
        client.force_login(user)
        assert client.get(PAGE, SEASON).status_code == 403
        assert client.get(PDF, SEASON).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2021-13-01", "end": "2022-04-30"}, "start", "起始日期格式不对"),
        ({"start": "2021-11-01", "end": "30/04/2022"}, "end", "截止日期格式不对"),
        ({"start": "2022-04-30", "end": "2021-11-01"}, "end", "不能早于起始日期"),
        ({"start": "2021-11-01", "end": "2999-01-01"}, "end", "不能晚于今天"),
        ({"start": "1899-01-01", "end": "2021-11-01"}, "start", "不能早于"),
    ],
)
def test_bad_dates_answer_400_with_a_clear_message(client, official, params, field, message):
    client.force_login(official)
    for url in (PAGE, PDF):
        response = client.get(url, params)
        assert response.status_code == 400, url
        page = response.content.decode()
        assert f'data-testid="error-{field}"' in page
        assert message in page
        assert f'value="{params[field]}"' in page  # what the user typed comes back
        assert 'data-testid="bulletin"' not in page


@pytest.mark.django_db
def test_unknown_or_invisible_county_answers_404(client, official):
    other = County.objects.create(name="睢县")
    f.TownshipFactory(county=other, name="城郊乡")
    client.force_login(official)
    assert client.get(PAGE, {**SEASON, "county": "abc"}).status_code == 404
    assert client.get(PAGE, {**SEASON, "county": other.pk}).status_code == 404
    center = f.make_user(Role.GUIDANCE_CENTER)
    client.force_login(center)
    response = client.get(PAGE, {**SEASON, "county": other.pk})
    assert response.status_code == 200
    assert "睢县冬春火灾防控工作通报" in response.content.decode()
    assert "城郊乡" in response.content.decode()


@pytest.mark.django_db
def test_bulletin_page_runs_the_same_bounded_number_of_queries_for_any_period(client, official):
    client.force_login(official)
    counts = []
    for params in (
        {"start": "2021-12-01", "end": "2021-12-31"},
        {"start": "2020-11-01", "end": "2022-10-31"},
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE, params).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # Session, user, profile, unread count; the county and campaign; the figures of every township
    # (leaders.figures: about ten); fires by cause, the notable ones, the overdue assignments.
    assert counts[0] <= 32


# --- the PDF -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulletin_pdf_holds_every_township(client, official, township_names):
    client.force_login(official)
    response = client.get(PDF, SEASON)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "inline" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 5  # a page break before each section after the first
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "民权县冬春火灾防控工作通报" in text
    for heading in (
        "一、火灾情况",
        "二、专职消防队建设",
        "三、隐患排查整改",
        "四、会议任务落实",
        "五、下一步要求",
    ):
        assert heading in text
    missing = [name for name in township_names if name not in text]
    assert missing == []


@pytest.mark.django_db
def test_bulletin_pdf_answers_503_in_chinese_when_weasyprint_is_missing(client, official, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now fails
    client.force_login(official)
    response = client.get(PDF, SEASON)
    assert response.status_code == 503
    page = response.content.decode()
    assert "PDF 暂时无法生成" in page
    assert "bin/ensure-pdf-libs" in page
    assert client.get(PAGE, SEASON).status_code == 200  # the printable page still works


@pytest.mark.django_db
def test_bulletin_pdf_answers_503_when_no_chinese_font_is_installed(client, official, monkeypatch):
    monkeypatch.setattr(pdf, "has_cjk_font", lambda: False)
    client.force_login(official)
    response = client.get(PDF, SEASON)
    assert response.status_code == 503
    assert "中文字体" in response.content.decode()


# --- charts --------------------------------------------------------------------------------------


def test_nice_axis_uses_round_steps():
    assert charts.nice_axis(0) == (1, 1)
    assert charts.nice_axis(3) == (3, 1)
    assert charts.nice_axis(17) == (20, 5)
    assert charts.nice_axis(230) == (250, 50)
    assert charts.nice_axis(0.4) == (1, 1)


def test_bar_chart_escapes_labels_and_draws_a_bar_per_value():
    svg = charts.horizontal_bar_chart(
        title="隐患 <统计>",
        categories=["北关镇", "<script>"],
        series=[charts.Series("发现", [3, 0], "#000"), charts.Series("逾期", [1, 2], "#f00")],
    )
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;统计&gt;" in svg
    assert svg.count('<rect x="') == 2 + 4  # two legend keys, four bars


def test_bar_chart_without_categories_says_so():
    svg = charts.horizontal_bar_chart(title="火灾", categories=[], series=[], empty_text="无火灾")
    assert "无火灾" in svg


def _with_overdue(counts: dict[str, int]) -> bulletin_selectors.Bulletin:
    day = dt.date(2026, 12, 1)
    rows = [
        bulletin_selectors.TownshipFigures(township_id=i, name=name, kind="", county_id=1)
        for i, name in enumerate(counts)
    ]
    for row, n in zip(rows, counts.values(), strict=True):
        row.hazards_overdue = n
    return bulletin_selectors.Bulletin(
        county=None, start=day, end=day, last_start=day, last_end=day, on=day, rows=rows
    )


def test_the_bulletin_never_splits_a_tie_when_it_names_townships_for_overdue_hazards():
    # Seven townships with one overdue hazard each: naming five of them would single out five.
    tied = _with_overdue({f"乡{i}": 1 for i in range(7)} | {"无逾期乡": 0})
    assert len(tied.overdue_townships) == 7
    assert "无逾期乡（0处）" not in tied.overdue_townships

    ranked = _with_overdue({"甲": 4, "乙": 3, "丙": 3, "丁": 2, "戊": 1, "己": 1, "庚": 1, "辛": 0})
    # Five with the most, and the townships tied with the fifth; most first, then in the table's order.
    assert ranked.overdue_townships == [
        "甲（4处）",
        "乙（3处）",
        "丙（3处）",
        "丁（2处）",
        "戊（1处）",
        "己（1处）",
        "庚（1处）",
    ]

    few = _with_overdue({"甲": 4, "乙": 2, "丙": 2, "丁": 1, "戊": 1, "己": 1})
    assert few.overdue_townships == [
        "甲（4处）",
        "乙（2处）",
        "丙（2处）",
        "丁（1处）",
        "戊（1处）",
        "己（1处）",
    ]

    # No more than five when the fifth is not tied.
    clear = _with_overdue({"甲": 6, "乙": 5, "丙": 4, "丁": 3, "戊": 2, "己": 1})
    assert clear.overdue_townships == ["甲（6处）", "乙（5处）", "丙（4处）", "丁（3处）", "戊（2处）"]


@pytest.mark.django_db
def test_bulletin_states_the_brigades_total_before_its_breakdown_and_how_gaps_add_up(
    client, official, county
):
    client.force_login(official)
    page = client.get(PAGE, SEASON).content.decode()
    match = re.search(r"共有乡镇专职消防队(\d+)个（([^）]*)）", page)
    assert match, "the total and its breakdown"
    total = int(match.group(1))
    assert total == Brigade.objects.filter(township__county=county).count()
    assert total == sum(int(n) for n in re.findall(r"(\d+)个", match.group(2)))
    # 在岗 + 缺 need not equal 应配: a brigade staffed above its standard does not fill another's gap.
    assert "一队超配不抵他队缺口" in page


# --- in English, and the Chinese document from an English session ------------------------------

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")  # Han, CJK and full-width punctuation


@pytest.fixture(autouse=True)
def _restore_language():
    """A request through LocaleMiddleware leaves its language active in this thread; put the
    default back so later tests (which expect Chinese) are not affected."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _english_client(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _data_names(county) -> list[str]:
    """Every name the 通报 may print as entered: data, not words to translate. Longest first, so
    a township's name is not cut out of its brigade's."""
    names = {county.name}
    names |= set(county.townships.values_list("name", flat=True))
    names |= set(Brigade.objects.values_list("name", flat=True))
    names |= set(EquipmentType.objects.values_list("name", flat=True))
    names |= set(Premises.objects.values_list("name", flat=True))
    names |= set(FireIncident.objects.values_list("address", flat=True))
    names |= set(Meeting.objects.values_list("title", flat=True))
    names |= set(Directive.objects.values_list("text", flat=True))
    names |= set(Assignment.objects.values_list("responsible_person", flat=True))
    return sorted((n for n in names if n), key=len, reverse=True)


def _words_left(html: str, names: list[str]) -> list[str]:
    """The Chinese left in `html` once the data names are taken out (names may be escaped), each
    with the text around it."""
    for name in names:
        html = html.replace(escape(name), " ").replace(name, " ")
    return [html[max(0, m.start() - 40) : m.end() + 40] for m in HAN.finditer(html)]


def _article(page: str) -> str:
    match = re.search(r'<article class="bulletin".*?</article>', page, re.S)
    assert match
    return match.group(0)


@pytest.mark.django_db
def test_the_bulletin_reads_in_english_for_an_english_reader(client, official, county):
    page = _english_client(client, official).get(PAGE, SEASON).content.decode()
    article = _article(page)
    left = _words_left(article, _data_names(county))
    assert left == [], "\n".join(left)
    assert "民权县 winter-spring fire prevention bulletin" in article
    assert "(1 November 2021 – 30 April 2022)" in article
    for heading in (
        "1. Fires",
        "2. Full-time fire brigade construction",
        "3. Hazard inspection and rectification",
        "4. Implementation of meeting tasks",
        "5. Requirements for the next stage",
    ):
        assert heading in article, heading
    # One format of each language: dates in words, money in yuan in a sentence, in 10,000 yuan in a table.
    notable = re.search(r'data-testid="notable-fires">(.*?)</p>', page, re.S).group(1)
    assert "with 1 injured" in notable
    assert "¥186,000" in notable
    assert "trace-back" in notable
    assert "As of 30 April 2022," in article
    assert "Direct loss (10,000 yuan)" in article
    # The numbers are those of the Chinese document.
    chinese = Client()
    chinese.force_login(official)
    chinese_page = chinese.get(PAGE, SEASON).content.decode()
    assert re.findall(r'class="num[^"]*">([^<]*)<', article) == re.findall(
        r'class="num[^"]*">([^<]*)<', _article(chinese_page)
    )


@pytest.mark.django_db
def test_an_english_reader_prints_the_chinese_bulletin_for_the_county(client, official, county):
    english = _english_client(client, official)
    page = english.get(PAGE, SEASON).content.decode()
    link = re.search(r'href="([^"]+)"[^>]*data-testid="bulletin-pdf-chinese"', page)
    assert link, "the Chinese PDF offered"
    assert "lang=zh-hans" in link.group(1)
    assert "中文版" in page
    chinese = english.get(PAGE, {**SEASON, "lang": "zh-hans"})
    assert chinese["Content-Language"] == "zh-hans"
    article = _article(chinese.content.decode())
    assert "民权县冬春火灾防控工作通报" in article
    assert "（2021年11月1日—2022年4月30日）" in article
    assert "共有乡镇专职消防队" in article
    assert "winter-spring" not in article
    assert "As of" not in article
    # The reader's own pages stay English: the choice is for this document only.
    assert "winter-spring fire prevention bulletin" in english.get(PAGE, SEASON).content.decode()

    # A Chinese reader gets Chinese, with no extra link.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get(PAGE, SEASON).content.decode()
    assert "民权县冬春火灾防控工作通报" in page
    assert 'data-testid="bulletin-pdf-chinese"' not in page


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() for page in reader.pages)


@pytest.mark.django_db
def test_the_bulletin_pdf_is_english_for_an_english_reader_and_chinese_when_asked(
    client, official, township_names
):
    english = _english_client(client, official)
    response = english.get(PDF, SEASON)
    assert "民权县 winter-spring fire prevention bulletin" in unquote(response["Content-Disposition"])
    text = _pdf_text(response)
    flat = re.sub(r"\s+", " ", text)
    assert "winter-spring fire prevention bulletin" in flat
    assert "1 November 2021" in flat
    assert "Requirements for the next stage" in flat
    assert "冬春火灾防控工作通报" not in re.sub(r"\s+", "", text)
    assert [name for name in township_names if name not in re.sub(r"\s+", "", text)] == []

    chinese = re.sub(r"\s+", "", _pdf_text(english.get(PDF, {**SEASON, "lang": "zh-hans"})))
    assert "民权县冬春火灾防控工作通报" in chinese
    assert "五、下一步要求" in chinese
    assert "Requirementsforthenextstage" not in chinese


def test_the_bulletin_text_joins_sentences_and_lists_as_each_language_does():
    ranked = _with_overdue({"甲": 2, "乙": 1})
    with translation.override("en"):
        assert ranked.overdue_townships == ["甲 (2)", "乙 (1)"]
        change = bulletin_selectors._change_text(bulletin_selectors.Change(this=3, last=2))
        assert change == "the number of fires rose by 1 (50.0%) on the same period last year."
    with translation.override("zh-hans"):
        assert ranked.overdue_townships == ["甲（2处）", "乙（1处）"]
        assert bulletin_selectors._change_text(bulletin_selectors.Change(this=1, last=2)) == (
            "火灾起数同比下降1起（50.0%）。"
        )
