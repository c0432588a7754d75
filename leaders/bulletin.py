"""The county 通报 (bulletin) for a period: fires, brigades, hazards and meeting assignments of every
township, side by side, as of the period's last day.

Every township's figures are leaders.figures.township_figures' — the same function as the dashboard,
the township page and the API — for the period; this module adds what only the 通报 writes: fires by
cause and the notable ones, brigade gaps in words, the overdue assignments named. A fixed number of
queries whatever the size of the county or the length of the period.

The text is written in the active language (Chinese by default, English for an English reader; the
view can ask for either): every sentence is translated whole, numbers, dates (`day`) and money
(`money_text`) written as that language writes them, and the sentences and lists joined as it joins
them (core.text). Names — townships, brigades, people, premises, meetings — are data and stay as
entered. Build and render the bulletin under the same language.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.clock import local_date
from core.money import money_text
from core.scoping import ALL, visible_county_id, visible_township_ids
from core.templatetags.display import day
from core.text import is_chinese, listing, mark, sentences
from firebrigade import selectors as brigade_selectors
from firebrigade.models import Brigade, FireIncident
from firebrigade.selectors import BrigadeGap, FireFigures, TownshipBrigadeGap
from inspections import selectors as inspection_selectors
from inspections.models import Campaign, HazardSupervision
from leaders.figures import Period, TownshipFigures, county_total, ratio, township_figures, year_before
from meetings import selectors as meeting_selectors
from meetings.models import Assignment
from townships.models import County, Township

# A fire is named in the text when someone was hurt or killed, or the loss reached this (yuan).
NOTABLE_LOSS = Decimal(100_000)
EARLIEST = dt.date(2000, 1, 1)  # no records before; keeps "a year before" a valid date
KIND_ORDER = {Township.Kind.SUBDISTRICT: 0, Township.Kind.TOWN: 1, Township.Kind.TOWNSHIP: 2}


# --- which county, which period ----------------------------------------------------------------


@dataclass(frozen=True)
class BulletinScope:
    """The county a bulletin is about and its default period (the current campaign, up to `on`)."""

    county: County | None
    campaign: Campaign | None
    default_start: dt.date
    default_end: dt.date
    counties: list[County]


def bulletin_scope(
    *, user, on: dt.date, county_id: int | None = None, campaign_id: int | None = None
) -> BulletinScope:
    """The counties `user` may see; the one asked for (`county_id`, None when not visible), else the
    one of the campaign asked for, else the user's own county, else that of the user's current
    campaign, else the first. Default period: the campaign asked for (`campaign_id`, None when not
    visible: `campaign` is then None too) or the county's current campaign
    (inspections.selectors.campaign_current), from its first day to min(its last day, `on`); with
    no campaign, the winter-spring season (from 1 November) running on `on`."""
    township_ids = visible_township_ids(user)
    counties_qs = County.objects.order_by("name")
    if township_ids is not ALL:
        counties_qs = counties_qs.filter(townships__in=township_ids).distinct()
    counties = list(counties_qs)
    by_id = {c.pk: c for c in counties}
    asked = None
    if campaign_id is not None:
        asked = inspection_selectors.campaign_list(user=user).filter(pk=campaign_id).first()
    if county_id is not None:
        county = by_id.get(county_id)
    elif asked is not None:
        county = by_id.get(asked.county_id)
    else:
        current = inspection_selectors.campaign_current(on=on, user=user)
        county = (
            by_id.get(visible_county_id(user))
            or (by_id.get(current.county_id) if current else None)
            or (counties[0] if counties else None)
        )
    if campaign_id is not None:
        campaign = (
            asked if asked is not None and county is not None and asked.county_id == county.pk else None
        )
    else:
        campaign = inspection_selectors.campaign_current(on=on, county_id=county.pk) if county else None
    if campaign is not None:
        start, end = campaign.starts_on, min(campaign.ends_on, on)
    else:
        start, end = dt.date(on.year if on.month >= 11 else on.year - 1, 11, 1), on
    return BulletinScope(
        county=county, campaign=campaign, default_start=start, default_end=end, counties=counties
    )


# --- the bulletin --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """This period against the same period a year before, in words."""

    this: int
    last: int

    @property
    def diff(self) -> int:
        return abs(self.this - self.last)

    @property
    def percent(self) -> float | None:
        return ratio(self.diff, self.last)


@dataclass
class FireRow:
    label: str
    this: FireFigures = field(default_factory=FireFigures)
    last: FireFigures = field(default_factory=FireFigures)

    @property
    def change(self) -> Change:
        return Change(self.this.count, self.last.count)

    @property
    def delta(self) -> int:
        return self.this.count - self.last.count


@dataclass
class BrigadeLine:
    """One of the township's own brigades, with its equipment gaps in words."""

    gap: BrigadeGap
    equipment_gap: int  # items missing, all types together
    equipment_gap_text: str  # e.g. 水罐消防车缺1辆、正压式空气呼吸器缺4具


@dataclass(frozen=True)
class OverdueItem:
    """An assignment open past its deadline at the end of the period."""

    assignment: Assignment
    label: str  # 第3项, or 2021年11月17日会议第3项 when several meetings are concerned (item 3, ...)
    days: int  # past the deadline, at the end of the period


@dataclass(frozen=True)
class SupervisedHazard:
    """A major hazard listed for supervision (挂牌督办) at the end of the period."""

    supervision: HazardSupervision
    days_overdue: int  # past the supervision deadline at the end of the period, unverified; else 0

    @property
    def hazard(self):
        return self.supervision.hazard


@dataclass(frozen=True)
class DirectiveRef:
    """A directive named by the overdue list: what 第N项 was."""

    label: str
    meeting: str
    category: str
    text: str


@dataclass
class TownshipRow:
    """One township's line: its figures (leaders.figures), read as the row's own attributes
    (`row.hazards_found`), plus what only the 通报 writes."""

    township: Township
    figures: TownshipFigures
    fires: FireRow
    brigade_lines: list[BrigadeLine] = field(default_factory=list)
    overdue_items: list[OverdueItem] = field(default_factory=list)

    def __getattr__(self, name: str):
        # Only for names the row does not have itself: hazards_found, assignments_overdue, ...
        return getattr(self.__dict__["figures"], name)

    @property
    def brigade(self) -> TownshipBrigadeGap:
        return self.figures.brigade_gap

    @property
    def name(self) -> str:
        return self.township.name


@dataclass
class BrigadeSummary:
    townships: int = 0
    by_status: list[tuple[str, int]] = field(default_factory=list)  # (label, brigades), every status
    without_own: int = 0  # townships with no brigade of their own
    covered_by_shared: int = 0  # of those, served by another township's brigade
    active_staff: int = 0
    min_staff: int = 0
    staff_gap: int = 0
    vehicles: int = 0
    vehicle_gap: int = 0
    equipment_gap: int = 0  # items, all types together
    short_staffed: list[str] = field(default_factory=list)  # township names

    @property
    def brigades(self) -> int:
        """Brigades of every status together: the total the 通报 states before its breakdown."""
        return sum(n for _label, n in self.by_status)


# How many townships the 通报 names in a "most" list before ties with the last one named.
NAMED_MOST = 5


@dataclass
class Bulletin:
    county: County
    start: dt.date
    end: dt.date
    last_start: dt.date
    last_end: dt.date
    on: dt.date
    rows: list[TownshipRow] = field(default_factory=list)
    fires: FireRow = field(default_factory=lambda: FireRow(_("全县")))
    fires_by_cause: list[FireRow] = field(default_factory=list)
    notable_fires: list[FireIncident] = field(default_factory=list)
    brigades: BrigadeSummary = field(default_factory=BrigadeSummary)
    totals: TownshipFigures | None = None
    overdue_assignments: list[Assignment] = field(default_factory=list)
    overdue_directives: list[DirectiveRef] = field(default_factory=list)
    supervised: list[SupervisedHazard] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("%(county)s冬春火灾防控工作通报") % {"county": self.county.name}

    @property
    def issuer(self) -> str:
        """The county's guidance center, named after it: 民权县消防安全检查指导服务中心."""
        return _("%(county)s消防安全检查指导服务中心") % {"county": self.county.name}

    @property
    def overdue_meetings(self) -> list[str]:
        return sorted({d.meeting for d in self.overdue_directives})

    @property
    def several_overdue_meetings(self) -> bool:
        return len(self.overdue_meetings) > 1

    @property
    def supervised_overdue(self) -> int:
        return sum(1 for s in self.supervised if s.days_overdue)

    @property
    def causes_this_period(self) -> list[FireRow]:
        return [c for c in self.fires_by_cause if c.this.count]

    @property
    def overdue_townships(self) -> list[str]:
        """The townships the 通报 names for hazards past their deadline, each with its count: the
        NAMED_MOST with the most, and every township tied with the last of them (naming a township
        is serious: a tie is never split), most first, then in the table's order."""
        rows = sorted((r for r in self.rows if r.hazards_overdue), key=lambda r: -r.hazards_overdue)
        if len(rows) > NAMED_MOST:
            least_named = rows[NAMED_MOST - 1].hazards_overdue
            rows = [r for r in rows if r.hazards_overdue >= least_named]
        return [_("%(township)s（%(n)s处）") % {"township": r.name, "n": r.hazards_overdue} for r in rows]

    # --- the text, in the active language ---------------------------------------------------------

    @property
    def fires_text(self) -> str:
        """一、火灾情况: the period's fires, the same dates a year before, the change, the causes."""
        this, last, change = self.fires.this, self.fires.last, self.fires.change
        if this.count:
            now = _(
                "通报期内，全县共发生%(fires)s，%(deaths)s，%(injuries)s，直接财产损失%(loss)s。"
            ) % _counts(this)
        else:
            now = _("通报期内，全县未发生火灾。")
        before = _("上年同期发生%(fires)s，%(deaths)s，%(injuries)s，直接财产损失%(loss)s；") % _counts(last)
        return sentences(now, before, _change_text(change), self._causes_text())

    def _causes_text(self) -> str:
        causes = self.causes_this_period
        if not causes:
            return ""
        named = listing(_("%(cause)s%(n)s起") % {"cause": c.label, "n": c.this.count} for c in causes)
        return _("从起火原因看，%(causes)s。") % {"causes": named}

    @property
    def notable_fire_items(self) -> list[tuple[FireIncident, str, str]]:
        """(fire, its clause, the punctuation after it) for each fire the text names: where and when
        it broke out, the casualties, the loss. The page adds a link to its 责任倒查."""
        items = []
        for i, fire in enumerate(self.notable_fires):
            if fire.deaths and fire.injuries:
                harm = _("造成%(deaths)s人死亡、%(injuries)s人受伤，")
            elif fire.deaths:
                harm = _("造成%(deaths)s人死亡，")
            elif fire.injuries:
                harm = _("造成%(injuries)s人受伤，")
            else:
                harm = ""
            harm %= {"deaths": fire.deaths, "injuries": fire.injuries}
            text = _("%(date)s，%(township)s%(place)s发生%(cause)s，%(harm)s直接财产损失%(loss)s") % {
                "date": day(fire.occurred_at, "short"),
                "township": fire.township.name,
                "place": fire.premises.name if fire.premises_id else fire.address,
                "cause": fire.get_cause_display(),
                "harm": harm,
                "loss": money_text(fire.direct_loss),
            }
            items.append((fire, text, mark("。" if i == len(self.notable_fires) - 1 else "；")))
        return items

    @property
    def brigades_text(self) -> str:
        """二、专职消防队建设: the brigades by status, the townships without one, the gaps."""
        s = self.brigades
        breakdown = listing(_("%(status)s%(n)s个") % {"status": label, "n": n} for label, n in s.by_status)
        first = ngettext(
            "截至%(date)s，全县%(townships)s个乡镇（街道办）共有乡镇专职消防队%(brigades)s个%(breakdown)s；",
            "截至%(date)s，全县%(townships)s个乡镇（街道办）共有乡镇专职消防队%(brigades)s个%(breakdown)s；",
            s.brigades,
        ) % {
            "date": day(self.on),
            "townships": s.townships,
            "brigades": s.brigades,
            "breakdown": _("（%(text)s）") % {"text": breakdown} if s.by_status else "",
        }
        if s.without_own and s.covered_by_shared:
            own = ngettext(
                "%(n)s个乡镇（街道办）尚未建立本级专职消防队，其中%(covered)s个由相邻乡镇消防队覆盖。",
                "%(n)s个乡镇（街道办）尚未建立本级专职消防队，其中%(covered)s个由相邻乡镇消防队覆盖。",
                s.without_own,
            ) % {"n": s.without_own, "covered": s.covered_by_shared}
        elif s.without_own:
            own = ngettext(
                "%(n)s个乡镇（街道办）尚未建立本级专职消防队。",
                "%(n)s个乡镇（街道办）尚未建立本级专职消防队。",
                s.without_own,
            ) % {"n": s.without_own}
        else:
            own = _("各乡镇（街道办）均已建立专职消防队。")
        gaps = _(
            "对照建设标准，全县在岗执勤队员%(active)s人，应配%(required)s人，缺%(gap)s人；"
            "完好消防车辆%(vehicles)s辆，缺%(vehicle_gap)s辆（缺口按各队分别计算，一队超配不抵他队缺口）；"
            "各类装备缺口合计%(equipment)s件（套）。"
        ) % {
            "active": s.active_staff,
            "required": s.min_staff,
            "gap": s.staff_gap,
            "vehicles": s.vehicles,
            "vehicle_gap": s.vehicle_gap,
            "equipment": s.equipment_gap,
        }
        short = ""
        if s.short_staffed:
            short = _("执勤人员未达标准的有：%(townships)s。") % {"townships": listing(s.short_staffed)}
        return sentences(first, own, gaps, short)

    @property
    def hazards_text(self) -> str:
        """三、隐患排查整改: found, major, rectified by the end, open, overdue; who has most overdue."""
        t = self.totals
        found = ngettext(
            "通报期内，全县共排查发现火灾隐患%(found)s处，其中重大火灾隐患%(major)s处；截至%(date)s，"
            "已整改销号%(rectified)s处，整改率%(rate)s%%；尚未整改%(open)s处（其中重大火灾隐患%(major_open)s处），"
            "逾期未整改%(overdue)s处。",
            "通报期内，全县共排查发现火灾隐患%(found)s处，其中重大火灾隐患%(major)s处；截至%(date)s，"
            "已整改销号%(rectified)s处，整改率%(rate)s%%；尚未整改%(open)s处（其中重大火灾隐患%(major_open)s处），"
            "逾期未整改%(overdue)s处。",
            t.hazards_found,
        ) % {
            "found": t.hazards_found,
            "major": t.hazards_major,
            "date": day(self.end),
            "rectified": t.hazards_rectified,
            "rate": _or_dash(t.rectification_rate),
            "open": t.hazards_open,
            "major_open": t.hazards_major_open,
            "overdue": t.hazards_overdue,
        }
        most = ""
        if self.overdue_townships:
            most = _("逾期未整改隐患较多的有（按逾期数，并列的一并列出）：%(townships)s。") % {
                "townships": listing(self.overdue_townships)
            }
        return sentences(found, most, self._supervised_text())

    def _supervised_text(self) -> str:
        """The listings (挂牌督办) at the end of the period and how many are past their deadline;
        nothing when none is listed."""
        n, overdue = len(self.supervised), self.supervised_overdue
        if not n:
            return ""
        values = {"date": day(self.end), "n": n, "overdue": overdue}
        if overdue:
            return (
                ngettext(
                    "截至%(date)s，全县挂牌督办重大火灾隐患%(n)s处，其中超过督办期限仍未整改销号%(overdue)s处（见下表）。",
                    "截至%(date)s，全县挂牌督办重大火灾隐患%(n)s处，其中超过督办期限仍未整改销号%(overdue)s处（见下表）。",
                    n,
                )
                % values
            )
        return (
            ngettext(
                "截至%(date)s，全县挂牌督办重大火灾隐患%(n)s处，均在督办期限内（见下表）。",
                "截至%(date)s，全县挂牌督办重大火灾隐患%(n)s处，均在督办期限内（见下表）。",
                n,
            )
            % values
        )

    @property
    def hazards_requirement_text(self) -> str:
        """五（二）: the listings are named only when there are some; the 通报 claims no 挂牌督办 the
        county has not made."""
        if self.supervised:
            return ngettext(
                "（二）加快隐患整改销号。对逾期未整改的火灾隐患，要逐一明确整改责任人、整改措施和整改时限，确保按期整改销号；"
                "已挂牌督办的%(n)s处重大火灾隐患，督办责任领导要盯紧督办期限，整改销号后方可摘牌；"
                "整改不力、酿成火灾的，依法依规严肃追究相关人员责任。",
                "（二）加快隐患整改销号。对逾期未整改的火灾隐患，要逐一明确整改责任人、整改措施和整改时限，确保按期整改销号；"
                "已挂牌督办的%(n)s处重大火灾隐患，督办责任领导要盯紧督办期限，整改销号后方可摘牌；"
                "整改不力、酿成火灾的，依法依规严肃追究相关人员责任。",
                len(self.supervised),
            ) % {"n": len(self.supervised)}
        return _(
            "（二）加快隐患整改销号。对逾期未整改的火灾隐患，要逐一明确整改责任人、整改措施和整改时限，确保按期整改销号；"
            "整改不力、酿成火灾的，依法依规严肃追究相关人员责任。"
        )

    @property
    def assignments_text(self) -> str:
        """四、会议任务落实: the period's assignments, closed, the rate, how many overdue."""
        t = self.totals
        total = ngettext(
            "截至%(date)s，县政府会议部署分解到各乡镇（街道办）的工作任务共%(total)s项，已办结%(closed)s项，"
            "办结率%(rate)s%%；",
            "截至%(date)s，县政府会议部署分解到各乡镇（街道办）的工作任务共%(total)s项，已办结%(closed)s项，"
            "办结率%(rate)s%%；",
            t.assignments,
        ) % {
            "date": day(self.end),
            "total": t.assignments,
            "closed": t.assignments_closed,
            "rate": _or_dash(t.assignment_rate),
        }
        if t.assignments_overdue:
            overdue = ngettext(
                "逾期未办结%(n)s项，现予以通报（见下表）。",
                "逾期未办结%(n)s项，现予以通报（见下表）。",
                t.assignments_overdue,
            ) % {"n": t.assignments_overdue}
        else:
            overdue = _("无逾期未办结任务。")
        return sentences(total, overdue)


def _or_dash(value) -> str:
    return "—" if value is None else str(value)


def _counts(figures: FireFigures) -> dict[str, str]:
    """A period's fires, deaths, injuries and loss, each with its unit, for a sentence."""
    return {
        "fires": ngettext("火灾%(n)s起", "火灾%(n)s起", figures.count) % {"n": figures.count},
        "deaths": ngettext("死亡%(n)s人", "死亡%(n)s人", figures.deaths) % {"n": figures.deaths},
        "injuries": ngettext("受伤%(n)s人", "受伤%(n)s人", figures.injuries) % {"n": figures.injuries},
        "loss": money_text(figures.loss),
    }


def _change_text(change: Change) -> str:
    """The number of fires against a year before: 持平, or up / down by how many (and what share)."""
    if change.this == change.last:
        return _("火灾起数与上年同期持平。")
    values = {"n": change.diff, "percent": change.percent}
    if change.this > change.last:
        if change.percent is None:
            return _("火灾起数同比上升%(n)s起。") % values
        return _("火灾起数同比上升%(n)s起（%(percent)s%%）。") % values
    if change.percent is None:
        return _("火灾起数同比下降%(n)s起。") % values
    return _("火灾起数同比下降%(n)s起（%(percent)s%%）。") % values


def _with_unit(n: int, unit: str) -> str:
    """A count with the equipment type's Chinese measure word (1辆); the bare number in English,
    where the measure word has no place."""
    return f"{n}{unit}" if is_chinese() else str(n)


def county_bulletin(
    *, user, county: County, start: dt.date, end: dt.date, on: dt.date, campaign: Campaign | None = None
) -> Bulletin:
    """Everything the 通报 says about `county` for `start`..`end` (both inclusive; `end` ≤ `on`), each
    township of the county the user may see on its own row, with its figures as of `end`
    (leaders.figures.township_figures):

    - fires in the period and in the same dates a year before (count, deaths, injuries, direct
      loss), per township and per cause; fires with casualties or a loss ≥ NOTABLE_LOSS named;
    - each township's brigades against the standard of their class (as they stand on `on`: the
      firebrigade app keeps no dated staffing history), and the brigades of others serving it;
    - hazards discovered in the period: found, rectified by `end`, still open, overdue at `end`,
      major, the rectification rate;
    - the assignments the period answers for, as of `end`: total, closed, overdue (named).
    When the period is `campaign`'s (from its first day to its last, or to `on`), the figures are
    the campaign's, as the dashboard shows them.
    A fixed number of queries, whatever the number of townships, records or days.
    """
    bulletin = Bulletin(
        county=county, start=start, end=end, last_start=year_before(start), last_end=year_before(end), on=on
    )
    if campaign is not None and (start, end) == (campaign.starts_on, min(campaign.ends_on, on)):
        # The campaign's own period (the default): its figures as the dashboard reads them.
        period = Period(county_id=county.pk, start=start, end=campaign.ends_on, as_of=end, campaign=campaign)
    else:
        period = Period(county_id=county.pk, start=start, end=end, as_of=end)
    figures = township_figures(user=user, period=period)
    # Official lists run 街道办, then 镇, then 乡, each in the order they were entered.
    figures.sort(key=lambda f: (KIND_ORDER.get(f.brigade_gap.township.kind, len(KIND_ORDER)), f.township_id))
    rows = {
        f.township_id: TownshipRow(
            township=f.brigade_gap.township,
            figures=f,
            fires=FireRow(f.name, this=f.fires, last=f.fires_last_year),
        )
        for f in figures
    }
    bulletin.rows = list(rows.values())
    bulletin.totals = county_total(figures)
    bulletin.fires.this, bulletin.fires.last = bulletin.totals.fires, bulletin.totals.fires_last_year
    _add_fires(bulletin, user=user)
    _add_brigades(bulletin)
    _add_overdue_assignments(bulletin, rows, user=user)
    _add_supervised(bulletin, rows, user=user)
    return bulletin


def _add_supervised(bulletin: Bulletin, rows: dict[int, TownshipRow], *, user) -> None:
    """The hazards listed for supervision on the period's last day (inspections.selectors
    .supervision_list: the county's list and the reminders read the same records), overdue first."""
    end = bulletin.end
    listed = inspection_selectors.supervision_list(user=user, filters={"listed": "true"}, on=end).filter(
        hazard__township_id__in=list(rows)
    )
    bulletin.supervised = [
        SupervisedHazard(supervision=s, days_overdue=(end - s.deadline).days if s.is_overdue else 0)
        for s in listed
    ]


def _add_fires(bulletin: Bulletin, *, user) -> None:
    labels = dict(FireIncident.Cause.choices)
    periods = {"this": (bulletin.start, bulletin.end), "last": (bulletin.last_start, bulletin.last_end)}
    by_cause = brigade_selectors.fire_figures(
        user=user, county_id=bulletin.county.pk, periods=periods, by="cause"
    )
    causes = {
        cause: FireRow(str(labels.get(cause, cause)), this=sums["this"], last=sums["last"])
        for cause, sums in by_cause.items()
    }
    order = list(labels)  # the model's order of causes, for equal counts
    bulletin.fires_by_cause = [
        causes[c]
        for c in sorted(causes, key=lambda c: (-causes[c].this.count, -causes[c].last.count, order.index(c)))
    ]
    notable = Q(deaths__gt=0) | Q(injuries__gt=0) | Q(direct_loss__gte=NOTABLE_LOSS)
    incidents = brigade_selectors.incident_list(
        user=user, filters={"date_from": bulletin.start, "date_to": bulletin.end}
    )
    bulletin.notable_fires = list(
        incidents.filter(notable, township__county=bulletin.county).order_by("occurred_at", "id")
    )


def _add_brigades(bulletin: Bulletin) -> None:
    summary = bulletin.brigades
    summary.townships = len(bulletin.rows)
    counted = dict.fromkeys(Brigade.Status.values, 0)
    for row in bulletin.rows:
        gap = row.brigade
        if not gap.brigades:
            summary.without_own += 1
            summary.covered_by_shared += bool(gap.shared_brigades)
        for b in gap.brigades:
            missing = [e for e in b.equipment if e.gap]
            row.brigade_lines.append(
                BrigadeLine(
                    gap=b,
                    equipment_gap=sum(e.gap for e in missing),
                    equipment_gap_text=listing(
                        _("%(equipment)s缺%(count)s")
                        % {
                            "equipment": e.equipment_type.name,
                            "count": _with_unit(e.gap, e.equipment_type.unit),
                        }
                        for e in missing
                    ),
                )
            )
            counted[b.status] += 1
        if any(b.staff_gap for b in gap.brigades):
            summary.short_staffed.append(row.name)
    totals = bulletin.totals
    summary.active_staff, summary.min_staff, summary.staff_gap = (
        totals.active_staff,
        totals.min_staff,
        totals.staff_gap,
    )
    summary.vehicles, summary.vehicle_gap = totals.vehicles, totals.vehicle_gap
    summary.equipment_gap = totals.equipment_gap
    labels = dict(Brigade.Status.choices)
    # Most advanced first, as the text reads: 已验收、已建成、建设中、规划中.
    summary.by_status = [(str(labels[s]), counted[s]) for s in reversed(Brigade.Status.values)]


def _add_overdue_assignments(bulletin: Bulletin, rows: dict[int, TownshipRow], *, user) -> None:
    """Name the period's assignments overdue at its end (those its rows count as overdue)."""
    end = bulletin.end
    overdue = list(
        meeting_selectors.assignments_of_period(
            user=user, on=end, county_id=bulletin.county.pk, start=bulletin.start, end=end
        )
        .filter(is_overdue=True, township_id__in=list(rows))
        .order_by("deadline", "township__name", "directive__number", "id")
    )
    bulletin.overdue_assignments = overdue
    several_meetings = len({a.directive.meeting_id for a in overdue}) > 1
    directives = {}
    for a in overdue:
        directive = a.directive
        label = _("第%(n)s项") % {"n": directive.number}
        if several_meetings:
            label = _("%(date)s会议第%(n)s项") % {
                "date": day(local_date(directive.meeting.held_at)),
                "n": directive.number,
            }
        directives.setdefault(
            (directive.meeting.held_at, directive.meeting_id, directive.number),
            DirectiveRef(
                label=label,
                meeting=directive.meeting.title,
                category=str(directive.get_category_display()),
                text=directive.text,
            ),
        )
        rows[a.township_id].overdue_items.append(
            OverdueItem(assignment=a, label=label, days=(end - a.deadline).days)
        )
    bulletin.overdue_directives = [directives[key] for key in sorted(directives)]
