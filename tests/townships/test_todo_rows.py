"""The township page's to-do and patrol rows written in Python (homes/templatetags/township_rows.py) are, byte for byte,
what the template wrote before (kept here as the reference): late and on time, a police plan and a
township's, links or names by whether the user records, more pending than shown, major hazards,
names escaped, in both languages."""

import datetime as dt
from types import SimpleNamespace as Row

import pytest
from django.template import Context, Template
from django.utils import translation

from homes.templatetags.township_rows import (
    patrol_grid_rows,
    patrol_member_rows,
    todo_equipment,
    todo_hazards,
    todo_plans,
)
from inspections.selectors import GridPatrols, MemberPatrols, PatrolFigures

# townships/detail.html's to-do loops before they moved to Python (the page writes the list's
# opening `<ul>` and its indent).
LABELS = (
    '{% load i18n l10n display %}{% localize off %}{% translate "已过期" as expired_text %}'
    '{% translate "已逾期" as overdue_text %}{% translate "责任人" as responsible_text %}'
)
TEMPLATE_PLANS = (
    LABELS
    + """{% translate "完成期限" as due_label %}{% translate "已检查" as inspected_label %}{% translate "未检查" as pending_label %}{% for plan in home.plans_due %}
    <li data-testid="todo-plan">
      <strong>{{ plan.title }}</strong>
      {% if plan.police_station %}<span class="tag">{{ plan.police_station.name }}</span>{% endif %}
      <span class="when{% if plan.due_on < home.on %} bad{% endif %}">{{ due_label }} {{ plan.due_on|day }}{% if plan.due_on < home.on %}（{{ expired_text }}）{% endif %} · {{ inspected_label }} {{ plan.inspected_count }}/{{ plan.planned_count }}</span>
      <span class="pending">{{ pending_label }}：{% for p in plan.pending_premises %}{% if may_record %}<a href="{{ record_url }}?premises={{ p.pk }}&amp;plan={{ plan.pk }}" data-testid="todo-plan-premises">{{ p.name }}</a>{% else %}{{ p.name }}{% endif %}{% if not forloop.last %}、{% endif %}{% endfor %}{% if plan.pending_count > plan.pending_premises|length %} {% blocktranslate with n=plan.pending_count %}等 {{ n }} 家{% endblocktranslate %}{% endif %}</span>
    </li>
    {% endfor %}{% endlocalize %}"""
)
TEMPLATE_HAZARDS = (
    LABELS
    + """{% translate "整改期限" as deadline_label %}{% for h in home.hazards_near %}
    <li data-testid="todo-hazard">
      <a href="{{ hazards_url }}{{ h.pk }}/">{{ h.title }}</a>
      {% if h.severity == "major" %}<span class="tag bad">{{ h.severity_label }}</span>{% endif %}
      <span class="tag">{{ h.status_label }}</span>
      <span class="when{% if h.is_overdue %} bad{% endif %}">{{ deadline_label }} {{ h.deadline_text }}{% if h.is_overdue %}（{{ overdue_text }}）{% endif %} · {{ responsible_text }} {{ h.responsible_person }}</span>
    </li>
    {% endfor %}{% endlocalize %}"""
)
TEMPLATE_EQUIPMENT = (
    LABELS
    + """{% translate "下次保养" as maintenance_label %}{% for e in home.equipment_due %}
    <li data-testid="todo-equipment-item">
      <a href="/brigades/{{ e.brigade_id }}/">{{ e.brigade.name }}</a>：{{ e.equipment_type.name }} × {{ e.quantity }}
      <span class="when{% if e.next_maintenance_on < home.on %} bad{% endif %}">{{ maintenance_label }} {{ e.next_maintenance_on|day }}{% if e.next_maintenance_on < home.on %}（{{ expired_text }}）{% endif %}</span>
    </li>
    {% endfor %}{% endlocalize %}"""
)

ON = dt.date(2026, 12, 3)


def _home():
    premises = [Row(pk=1000 + i, name=f"<单位{i} & “店”>") for i in range(3)]
    plans = [
        Row(
            pk=7,
            title="<北关镇 & 冬春检查>",
            police_station=None,
            due_on=ON - dt.timedelta(days=1),
            inspected_count=1234,
            planned_count=20000,
            pending_premises=premises,
            pending_count=18766,
        ),
        Row(
            pk=8,
            title="派出所计划",
            police_station=Row(name="城关派出所"),
            due_on=ON,
            inspected_count=0,
            planned_count=2,
            pending_premises=premises[:2],
            pending_count=2,
        ),
    ]
    hazards = [
        Row(
            pk=31,
            title="<饭店>：安全出口堵塞 & 灭火器过期",
            severity="major",
            severity_label="重大",
            status_label="待整改",
            is_overdue=True,
            deadline_text="2026年12月1日",
            responsible_person="王<老板>",
        ),
        Row(
            pk=32,
            title="超市：疏散指示标志损坏",
            severity="general",
            severity_label="一般",
            status_label="整改中",
            is_overdue=False,
            deadline_text="2026年12月5日",
            responsible_person="",
        ),
    ]
    equipment = [
        Row(
            brigade_id=5,
            brigade=Row(name="北关镇<专职队>"),
            equipment_type=Row(name="消防水带 & 枪"),
            quantity=1200,
            next_maintenance_on=ON - dt.timedelta(days=3),
        ),
        Row(
            brigade_id=6,
            brigade=Row(name="城关专职队"),
            equipment_type=Row(name="空气呼吸器"),
            quantity=2,
            next_maintenance_on=ON + dt.timedelta(days=5),
        ),
    ]
    return Row(on=ON, plans_due=plans, hazards_near=hazards, equipment_due=equipment)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("may_record", [True, False])
def test_the_plan_rows_are_what_the_template_wrote(language, may_record):
    home, record_url = _home(), "/inspections/record/"
    context = {"home": home, "may_record": may_record, "record_url": record_url}
    with translation.override(language):
        expected = Template(TEMPLATE_PLANS).render(Context(context))
        written = todo_plans(home, may_record, record_url)
    assert written == expected
    assert "&lt;单位0 &amp;" in written
    assert ("todo-plan-premises" in written) is may_record
    assert "18766" in written  # more pending than shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_hazard_rows_are_what_the_template_wrote(language):
    home = _home()
    with translation.override(language):
        expected = Template(TEMPLATE_HAZARDS).render(Context({"home": home, "hazards_url": "/hazards/"}))
        written = todo_hazards(home, "/hazards/")
    assert written == expected
    assert 'class="tag bad">重大' in written
    assert "王&lt;老板&gt;" in written


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_equipment_rows_are_what_the_template_wrote(language):
    home = _home()
    with translation.override(language):
        expected = Template(TEMPLATE_EQUIPMENT).render(Context({"home": home}))
        written = todo_equipment(home)
    assert written == expected
    assert "× 1200" in written  # unlocalized: no thousands separator
    assert written.count(' bad"') == 1


# inspections/_patrol_figures.html's rows before they moved to Python (inside the page's localize off).
TEMPLATE_PATROLS = """{% load l10n %}{% localize off %}{% for g in figures.grids %}<tr><td>{{ g.name }}</td><td>{{ g.patrolled }}/{{ g.premises }}</td><td>{% if g.percent is not None %}{{ g.percent }}%{% else %}—{% endif %}</td></tr>{% endfor %}|{% for m in figures.members %}<tr><td>{{ m.rank }}</td><td>{{ m.name }}</td><td>{{ m.grid_name }}</td><td>{{ m.patrolled }}/{{ m.premises }}{% if m.percent is not None %}（{{ m.percent }}%）{% endif %}</td><td>{{ m.patrols }}</td></tr>{% endfor %}{% endlocalize %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_patrol_rows_are_what_the_template_wrote(language):
    figures = PatrolFigures(start=ON.replace(day=1), end=ON)
    figures.grids = [
        GridPatrols(grid_id=1, name="<一网格 & 东>", township_id=1, premises=1200, patrolled=1031),
        GridPatrols(grid_id=2, name="二网格", township_id=1, premises=0, patrolled=0),
    ]
    figures.members = [
        MemberPatrols(
            user_id=5,
            name="张<三>",
            grid_id=1,
            grid_name="<一网格 & 东>",
            premises=1200,
            patrolled=3,
            patrols=1500,
            rank=1,
        ),
        MemberPatrols(
            user_id=6, name="李四", grid_id=2, grid_name="二网格", premises=0, patrolled=0, patrols=0, rank=2
        ),
    ]
    with translation.override(language):
        expected = Template(TEMPLATE_PATROLS).render(Context({"figures": figures}))
        written = patrol_grid_rows(figures) + "|" + patrol_member_rows(figures)
    assert written == expected
    assert "&lt;一网格 &amp; 东&gt;" in written
    assert "<td>1500</td>" in written  # unlocalized
