"""The township page's to-do lists and patrol rows, written in Python.

Up to twenty hazards, the plans with their pending premises, the equipment due and the grids' and
members' patrols, each row a dozen template variables, tags and filters, took a third of the page's
template; here each row is what
the template wrote (townships/detail.html, inspections/_patrol_figures.html: the same words, values escaped and unlocalized as
`{% localize off %}` writes them, dates through `day`), in a fraction of the time. The test keeps the
template beside it (tests/homes/test_todo_rows.py)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.templatetags.display import day
from core.templatetags.display import unlocalized as _text

register = template.Library()


def _day(value) -> str:
    return conditional_escape(day(value))


@register.simple_tag
def todo_plans(home, may_record, record_url) -> str:
    """The plans not yet done (home.plans_due): due date, progress and the first premises pending,
    each a link to record its inspection when the user records inspections."""
    due_label, expired = conditional_escape(gettext("完成期限")), conditional_escape(gettext("已过期"))
    inspected_label, pending_label = (
        conditional_escape(gettext("已检查")),
        conditional_escape(gettext("未检查")),
    )
    record = conditional_escape(record_url)
    items = []
    for plan in home.plans_due:
        late = plan.due_on < home.on
        station = f'<span class="tag">{_text(plan.police_station.name)}</span>' if plan.police_station else ""
        pending = []
        for p in plan.pending_premises:
            name = _text(p.name)
            if may_record:
                name = (
                    f'<a href="{record}?premises={_text(p.pk)}&amp;plan={_text(plan.pk)}" '
                    f'data-testid="todo-plan-premises">{name}</a>'
                )
            pending.append(name)
        more = ""
        if plan.pending_count > len(plan.pending_premises):
            more = " " + gettext("等 %(n)s 家") % {"n": _text(plan.pending_count)}
        items.append(
            '\n    <li data-testid="todo-plan">\n'
            f"      <strong>{_text(plan.title)}</strong>\n"
            f"      {station}\n"
            f'      <span class="when{" bad" if late else ""}">{due_label} {_day(plan.due_on)}'
            f"{f'（{expired}）' if late else ''} · {inspected_label} "
            f"{_text(plan.inspected_count)}/{_text(plan.planned_count)}</span>\n"
            f'      <span class="pending">{pending_label}：{"、".join(pending)}{more}</span>\n'
            "    </li>\n    "
        )
    return mark_safe("".join(items))  # noqa: S308 — every value escaped above


@register.simple_tag
def todo_hazards(home, hazards_url) -> str:
    """The hazards due within days or overdue (home.hazards_near), each a link to its page."""
    deadline_label, overdue = conditional_escape(gettext("整改期限")), conditional_escape(gettext("已逾期"))
    responsible = conditional_escape(gettext("责任人"))
    url = conditional_escape(hazards_url)
    items = []
    for h in home.hazards_near:
        major = f'<span class="tag bad">{_text(h.severity_label)}</span>' if h.severity == "major" else ""
        items.append(
            '\n    <li data-testid="todo-hazard">\n'
            f'      <a href="{url}{_text(h.pk)}/">{_text(h.title)}</a>\n'
            f"      {major}\n"
            f'      <span class="tag">{_text(h.status_label)}</span>\n'
            f'      <span class="when{" bad" if h.is_overdue else ""}">{deadline_label} {_text(h.deadline_text)}'
            f"{f'（{overdue}）' if h.is_overdue else ''} · {responsible} {_text(h.responsible_person)}</span>\n"
            "    </li>\n    "
        )
    return mark_safe("".join(items))  # noqa: S308 — every value escaped above


@register.simple_tag
def todo_equipment(home) -> str:
    """The equipment whose maintenance is due (home.equipment_due), by brigade."""
    maintenance_label, expired = (
        conditional_escape(gettext("下次保养")),
        conditional_escape(gettext("已过期")),
    )
    items = []
    for e in home.equipment_due:
        late = e.next_maintenance_on < home.on
        items.append(
            '\n    <li data-testid="todo-equipment-item">\n'
            f'      <a href="/brigades/{_text(e.brigade_id)}/">{_text(e.brigade.name)}</a>：'
            f"{_text(e.equipment_type.name)} × {_text(e.quantity)}\n"
            f'      <span class="when{" bad" if late else ""}">{maintenance_label} {_day(e.next_maintenance_on)}'
            f"{f'（{expired}）' if late else ''}</span>\n"
            "    </li>\n    "
        )
    return mark_safe("".join(items))  # noqa: S308 — every value escaped above


@register.simple_tag
def patrol_grid_rows(figures) -> str:
    """The township's grids' patrols (inspections.selectors.patrol_figures): premises patrolled of
    those in the grid, and the rate."""
    rows = []
    for g in figures.grids:
        percent = "—" if g.percent is None else f"{_text(g.percent)}%"
        rows.append(
            f"<tr><td>{_text(g.name)}</td><td>{_text(g.patrolled)}/{_text(g.premises)}</td><td>{percent}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value escaped by _text


@register.simple_tag
def patrol_member_rows(figures) -> str:
    """The township's grid members ranked by their patrols (patrol_figures)."""
    rows = []
    for m in figures.members:
        percent = "" if m.percent is None else f"（{_text(m.percent)}%）"
        rows.append(
            f"<tr><td>{_text(m.rank)}</td><td>{_text(m.name)}</td><td>{_text(m.grid_name)}</td>"
            f"<td>{_text(m.patrolled)}/{_text(m.premises)}{percent}</td><td>{_text(m.patrols)}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value escaped by _text
