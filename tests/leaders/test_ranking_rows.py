"""The dashboard's ranking rows written in Python (leaders/templatetags/ranking.py) are, byte for byte,
what the template wrote before (kept here as the reference): ties, shared brigades, missing ratios,
gaps marked bad, names escaped, in both languages."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from inspections.selectors import PatrolTally
from leaders.dashboard import COLUMN_GROUPS
from leaders.figures import TownshipFigures
from leaders.templatetags.ranking import patrol_rows, ranking_head, ranking_rows

# dashboard/county.html's ranking body before it moved to Python.
TEMPLATE_ROWS = """{% load i18n l10n display %}{% localize off %}
    {% for r in data.rows %}
      <tr>
        <td class="rank">{% if r.tied %}{% blocktranslate with rank=r.rank %}并列第{{ rank }}{% endblocktranslate %}{% else %}{{ r.rank }}{% endif %}</td>
        <th scope="row" class="name"><a href="{% url 'homes:township' r.township_id %}">{{ r.name }}</a></th>
        <td class="text">{% if r.brigade_status_label %}{{ r.brigade_status_label }}{% else %}{% translate "未建" %}{% endif %}{% if r.shared_brigade %}<br><small>{% translate "共建" %}：{{ r.shared_brigade }}</small>{% endif %}</td>
        <td>{{ r.active_staff }}</td>
        <td class="{% if r.staff_gap %}bad{% endif %}">{{ r.staff_gap }}</td>
        <td class="{% if r.equipment_gap %}bad{% endif %}">{{ r.equipment_gap }}</td>
        <td>{{ r.allocated|wan_yuan }}</td>
        <td>{{ r.disbursed|wan_yuan }}</td>
        <td>{{ r.funding_ratio|default_if_none:"—" }}</td>
        <td>{{ r.planned }}</td>
        <td>{{ r.inspected }}</td>
        <td>{{ r.plan_percent|default_if_none:"—" }}</td>
        <td>{{ r.hazards_found }}</td>
        <td>{{ r.hazards_rectified }}</td>
        <td class="{% if r.hazards_overdue %}bad{% endif %}">{{ r.hazards_overdue }}</td>
        <td class="{% if r.hazards_major %}bad{% endif %}">{{ r.hazards_major }}</td>
        <td class="{% if r.hazards_carried_open %}bad{% endif %}">{{ r.hazards_carried_open }}</td>
        <td>{{ r.rectification_rate|default_if_none:"—" }}</td>
        <td>{{ r.incidents }}</td>
        <td>{{ r.incidents_last_season }}</td>
        <td>{{ r.assignments }}</td>
        <td>{{ r.assignments_closed }}</td>
        <td class="{% if r.assignments_overdue %}bad{% endif %}">{{ r.assignments_overdue }}</td>
        <td>{{ r.assignment_rate|default_if_none:"—" }}</td>
        <td><b>{{ r.score }}</b></td>
      </tr>
    {% endfor %}
    {% endlocalize %}"""


def _rows():
    full = TownshipFigures(
        township_id=1,
        name="北关镇",
        kind="town",
        county_id=1,
        brigade_status="accepted",
        brigade_status_label="已验收",
        active_staff=12,
        staff_gap=0,
        equipment_gap=3,
        allocated=Decimal("820000"),
        disbursed=Decimal("410000.50"),
        funding_ratio=50.0,
        planned=40,
        inspected=39,
        plan_percent=97.5,
        hazards_found=12,
        hazards_rectified=11,
        hazards_overdue=1,
        hazards_major=2,
        hazards_carried_open=1,
        rectification_rate=91.7,
        assignments=5,
        assignments_closed=5,
        assignment_rate=100.0,
        score=84.8,
        rank=1,
    )
    tied = TownshipFigures(
        township_id=2,
        name="<褚庙乡 & “东”>",
        kind="township",
        county_id=1,
        shared_brigade="北关镇专职消防队",
        staff_gap=6,
        score=0.0,
        rank=2,
        tied=True,
    )
    empty = TownshipFigures(
        township_id=3, name="城关街道", kind="subdistrict", county_id=1, rank=2, tied=True
    )
    return [full, tied, empty]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_ranking_rows_are_what_the_template_wrote(language):
    rows = _rows()
    with translation.override(language):
        expected = Template(TEMPLATE_ROWS).render(Context({"data": {"rows": rows}}))
        written = ranking_rows(rows)
    assert written == expected
    assert "&lt;褚庙乡 &amp;" in written
    assert ("并列第2" if language == "zh-hans" else "2") in written


# dashboard/county.html's ranking head and patrol rows before they moved to Python.
TEMPLATE_HEAD = """{% for group, group_columns in column_groups %}<colgroup{% if group %} class="group"{% endif %} span="{{ group_columns|length }}"></colgroup>{% endfor %}
    <thead>
      <tr class="groups">{% for group, group_columns in column_groups %}{% if group %}<th scope="colgroup" colspan="{{ group_columns|length }}">{{ group }}</th>{% else %}{% for attr, header in group_columns %}<th scope="col" rowspan="2" class="{% if attr == 'name' %}name{% elif attr == 'rank' %}rank{% endif %}">{{ header }}</th>{% endfor %}{% endif %}{% endfor %}</tr>
      <tr>{% for group, group_columns in column_groups %}{% if group %}{% for attr, header in group_columns %}<th scope="col">{{ header }}</th>{% endfor %}{% endif %}{% endfor %}</tr>
    </thead>"""

TEMPLATE_PATROLS = """{% load l10n %}{% localize off %}{% for r, p in data.patrols %}<tr><th scope="row">{{ r.name }}</th><td>{{ p.patrolled }}/{{ p.premises }}</td><td>{% if p.percent is not None %}{{ p.percent }}%{% else %}—{% endif %}</td><td>{{ p.patrols }}</td></tr>{% endfor %}{% endlocalize %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_ranking_head_is_what_the_template_wrote(language):
    groups = [*COLUMN_GROUPS, ("<分组 & “甲”>", [("x", "<列 & 乙>")])]  # escaped as the template did
    with translation.override(language):
        expected = Template(TEMPLATE_HEAD).render(Context({"column_groups": groups}))
        written = ranking_head(groups)
    assert written == expected
    assert "&lt;列 &amp; 乙&gt;" in written
    assert ('rowspan="2" class="rank">排名' if language == "zh-hans" else 'class="rank">Rank') in written


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_patrol_rows_are_what_the_template_wrote(language):
    full, tied, empty = _rows()
    patrols = [
        (full, PatrolTally(premises=1200, patrolled=1031, patrols=2045)),
        (tied, PatrolTally(premises=3, patrolled=1, patrols=1)),
        (empty, PatrolTally()),
    ]
    with translation.override(language):
        expected = Template(TEMPLATE_PATROLS).render(Context({"data": {"patrols": patrols}}))
        written = patrol_rows(patrols)
    assert written == expected
    assert "&lt;褚庙乡 &amp;" in written
    assert "<td>1031/1200</td>" in written
    assert "<td>—</td>" in written  # a township without grids: no rate
