"""The county dashboard's ranking table (its head and rows) and patrol rows, written in Python.

Twenty townships × twenty-five cells of template variables, tags and filters took about a fifth of
the dashboard's time (issue 14); here each cell is what the template wrote — the same values
localized as `{% localize off %}` writes them, escaped, the same words — in a tenth of the time."""

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core import money
from core.templatetags.display import unlocalized

register = template.Library()


_text = unlocalized


def _or_dash(value) -> str:
    return "—" if value is None else _text(value)


def _bad(value) -> str:
    return ' class="bad"' if value else ' class=""'


def _row(r) -> str:
    rank = gettext("并列第%(rank)s") % {"rank": _text(r.rank)} if r.tied else _text(r.rank)
    status = _text(r.brigade_status_label) if r.brigade_status_label else conditional_escape(gettext("未建"))
    if r.shared_brigade:
        status += format_html(
            "<br><small>{}：{}</small>", gettext("共建"), localize(r.shared_brigade, use_l10n=False)
        )
    cells = [
        f'<td class="rank">{rank}</td>',
        format_html(
            '<th scope="row" class="name"><a href="{}">{}</a></th>',
            reverse("homes:township", args=[r.township_id]),
            localize(r.name, use_l10n=False),
        ),
        f'<td class="text">{status}</td>',
        f"<td>{_text(r.active_staff)}</td>",
        f"<td{_bad(r.staff_gap)}>{_text(r.staff_gap)}</td>",
        f"<td{_bad(r.equipment_gap)}>{_text(r.equipment_gap)}</td>",
        f"<td>{conditional_escape(money.wan_text(r.allocated))}</td>",
        f"<td>{conditional_escape(money.wan_text(r.disbursed))}</td>",
        f"<td>{_or_dash(r.funding_ratio)}</td>",
        f"<td>{_text(r.planned)}</td>",
        f"<td>{_text(r.inspected)}</td>",
        f"<td>{_or_dash(r.plan_percent)}</td>",
        f"<td>{_text(r.hazards_found)}</td>",
        f"<td>{_text(r.hazards_rectified)}</td>",
        f"<td{_bad(r.hazards_overdue)}>{_text(r.hazards_overdue)}</td>",
        f"<td{_bad(r.hazards_major)}>{_text(r.hazards_major)}</td>",
        f"<td{_bad(r.hazards_carried_open)}>{_text(r.hazards_carried_open)}</td>",
        f"<td>{_or_dash(r.rectification_rate)}</td>",
        f"<td>{_text(r.incidents)}</td>",
        f"<td>{_text(r.incidents_last_season)}</td>",
        f"<td>{_text(r.assignments)}</td>",
        f"<td>{_text(r.assignments_closed)}</td>",
        f"<td{_bad(r.assignments_overdue)}>{_text(r.assignments_overdue)}</td>",
        f"<td>{_or_dash(r.assignment_rate)}</td>",
        f"<td><b>{_text(r.score)}</b></td>",
    ]
    return "\n      <tr>\n        " + "\n        ".join(cells) + "\n      </tr>\n    "


@register.simple_tag
def ranking_rows(rows) -> str:
    """The ranking table's body rows (dashboard/county.html)."""
    return mark_safe("\n    " + "".join(_row(r) for r in rows) + "\n    ")  # noqa: S308 — every value escaped above


@register.simple_tag
def ranking_head(column_groups) -> str:
    """The ranking table's column groups and two-row head (dashboard/county.html), from
    leaders.dashboard.COLUMN_GROUPS: a group's columns under its name, ungrouped ones spanning both
    rows."""
    colgroups, top, bottom = [], [], []
    for group, columns in column_groups:
        span = localize(len(columns))
        grouped = ' class="group"' if group else ""
        colgroups.append(f'<colgroup{grouped} span="{span}"></colgroup>')
        if group:
            top.append(format_html('<th scope="colgroup" colspan="{}">{}</th>', span, group))
            bottom.extend(format_html('<th scope="col">{}</th>', header) for _attr, header in columns)
        else:
            for attr, header in columns:
                kind = attr if attr in ("name", "rank") else ""
                top.append(format_html('<th scope="col" rowspan="2" class="{}">{}</th>', kind, header))
    return mark_safe(  # noqa: S308 — every label escaped by format_html
        "".join(colgroups)
        + '\n    <thead>\n      <tr class="groups">'
        + "".join(top)
        + "</tr>\n      <tr>"
        + "".join(bottom)
        + "</tr>\n    </thead>"
    )


@register.simple_tag
def patrol_rows(patrols) -> str:
    """The dashboard's patrol table body: per township (a TownshipFigures and its PatrolTally), the
    premises patrolled of those in its grids, the rate and the patrols; unlocalized, as the
    ranking."""
    rows = []
    for r, p in patrols:
        percent = "—" if p.percent is None else f"{_text(p.percent)}%"
        rows.append(
            f'<tr><th scope="row">{_text(r.name)}</th><td>{_text(p.patrolled)}/{_text(p.premises)}</td>'
            f"<td>{percent}</td><td>{_text(p.patrols)}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 — every value escaped by _text
