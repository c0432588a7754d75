"""检查记录: one row per hazard found (or one row for an inspection without hazards).

Rows naming the same premises, date, kind and inspectors are one inspection: it is recorded once
with inspection_record (its checklist failures are the union of the rows' 不合格检查项), then each
row's hazard is added with hazard_create in its own savepoint, so a refused hazard is reported on
its own row. An inspection already in the system is not changed; only new hazards are added to it.
"""

import re
from collections import defaultdict

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.imports.base import (
    CREATE,
    REFUSALS,
    UNCHANGED,
    UPDATE,
    Change,
    ImportContext,
    ImportKind,
    ImportRefusal,
    ParsedRow,
    norm,
)
from core.imports.columns import Column, column_title
from core.imports.registry import register
from inspections import services
from inspections.models import ChecklistItem, ChecklistResult, Hazard, Inspection
from townships.imports import premises_lookup, resolve_police_station

HAZARD_KEYS = ("severity", "deadline", "responsible_person", "checklist_item")
HEADER_KEYS = ("police_station", "signed_by", "notes")
CODE_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _codes(text: str) -> list[str]:
    return [code for code in CODE_SEPARATORS.split(text or "") if code]


@register
class InspectionsKind(ImportKind):
    model = Inspection
    township_field = "township"
    name = "inspections"
    label = gettext_lazy("检查记录")
    sheet = "检查记录"
    default_column = "检查日期"
    match_rule = gettext_lazy(
        "同一单位、检查日期、检查类型、检查人员的各行是同一次检查：系统中没有的新增（含不合格检查项和隐患）；"
        "已有的检查不作修改，只新增其中尚未登记的隐患（按隐患描述判断）。"
    )
    key_description = gettext_lazy("同一次检查中的隐患描述相同（或同一次检查重复填写）")
    key_column = "隐患描述"
    notes = [
        gettext_lazy(
            "每行一个隐患；一次检查发现多个隐患时填写多行，检查日期、类型、人员等各行相同。没有隐患的检查填一行，隐患各列留空。"
        ),
        gettext_lazy("不合格检查项填写检查项编号，多个用顿号“、”分隔，如 C01、C03。"),
    ]
    columns = [
        Column(gettext_noop("乡镇"), "township", required=True, example="褚庙乡"),
        Column(
            gettext_noop("单位名称"),
            "premises",
            required=True,
            help=gettext_lazy("系统中已登记的单位名称"),
            example="褚庙乡福民超市",
            width=24,
        ),
        Column(
            gettext_noop("单位地址"),
            "premises_address",
            help=gettext_lazy("同名单位有多个时必填"),
            example="褚庙乡政府街18号",
            width=24,
        ),
        Column(
            gettext_noop("检查日期"),
            "inspected_on",
            "date",
            required=True,
            help=gettext_lazy("不能晚于今天"),
            example="2021-11-20",
        ),
        Column(
            gettext_noop("检查类型"),
            "kind",
            "choice",
            required=True,
            choices=Inspection.Kind,
            example="乡镇检查",
            width=16,
        ),
        Column(
            gettext_noop("检查人员"),
            "inspectors",
            required=True,
            help=gettext_lazy("多人用顿号分隔"),
            example="赵专干、钱网格员",
            width=20,
        ),
        Column(
            gettext_noop("派出所"),
            "police_station",
            help=gettext_lazy("派出所检查时必填，须为辖区派出所"),
            example="",
        ),
        Column(gettext_noop("被检查单位签字"), "signed_by", example="王福民"),
        Column(gettext_noop("检查情况"), "notes", example="灭火器过期两具，疏散通道堆放杂物", width=30),
        Column(
            gettext_noop("不合格检查项"),
            "failed_items",
            help=gettext_lazy("检查项编号，多个用顿号分隔"),
            example="",
            width=16,
        ),
        Column(
            gettext_noop("隐患描述"),
            "description",
            help=gettext_lazy("本行登记的隐患；无隐患留空"),
            example="疏散通道堆放杂物",
            width=30,
        ),
        Column(
            gettext_noop("隐患等级"),
            "severity",
            "choice",
            choices=Hazard.Severity,
            help=gettext_lazy("填写隐患时必填"),
            example="一般隐患",
        ),
        Column(
            gettext_noop("整改期限"),
            "deadline",
            "date",
            help=gettext_lazy("填写隐患时必填，不能早于发现日期（即检查日期）"),
            example="2021-11-27",
        ),
        Column(
            gettext_noop("整改责任人"),
            "responsible_person",
            help=gettext_lazy("填写隐患时必填"),
            example="王福民",
        ),
        Column(
            gettext_noop("隐患对应检查项"),
            "checklist_item",
            help=gettext_lazy("检查项编号，可不填"),
            example="",
            width=16,
        ),
    ]

    def check_row(self, row: ParsedRow) -> None:
        values = row.values
        if values.get("description"):
            for key in ("severity", "deadline", "responsible_person"):
                if values.get(key) in (None, ""):
                    header = self.header(key)
                    if not row.errors_for(header):
                        row.error(header, _("填写隐患描述时必填"))
        elif any(values.get(key) not in (None, "") for key in HAZARD_KEYS):
            row.error("隐患描述", _("填写了隐患等级、整改期限等隐患信息，但缺少隐患描述"))

    def resolve(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        items = {item.code: item for item in ChecklistItem.objects.all()}
        for row in rows:
            row.refs["township"] = ctx.township(row)
        exact = premises_lookup(ctx.township_ids(rows))
        by_name: dict[tuple[int, str], list] = defaultdict(list)
        for (township_id, name, _address), found in exact.items():
            by_name[(township_id, name)].extend(found)
        for row in rows:
            values = row.values
            township = row.refs["township"]
            row.refs["premises"] = None
            if township is not None and values.get("premises"):
                name, address = norm(values["premises"]), norm(values["premises_address"])
                found = exact.get((township.pk, name, address), [])
                if not found and not address:
                    found = by_name.get((township.pk, name), [])
                if len(found) == 1:
                    row.refs["premises"] = found[0]
                elif found:
                    row.error(
                        "单位地址",
                        _("%(township)s有多个名为“%(name)s”的单位，请填写单位地址")
                        % {"township": township.name, "name": values["premises"]},
                    )
                elif address:
                    row.error(
                        "单位名称",
                        _("%(township)s没有名为“%(name)s”（地址：%(address)s）的单位，请先导入或登记该单位")
                        % {
                            "township": township.name,
                            "name": values["premises"],
                            "address": values["premises_address"],
                        },
                    )
                else:
                    row.error(
                        "单位名称",
                        _("%(township)s没有名为“%(name)s”的单位，请先导入或登记该单位")
                        % {"township": township.name, "name": values["premises"]},
                    )
            row.refs["police_station"] = resolve_police_station(ctx, row, header="派出所", township=township)
            failed = []
            for code in _codes(values.get("failed_items")):
                if code not in items:
                    row.error("不合格检查项", _("未知检查项编号“%(code)s”") % {"code": code})
                elif items[code] not in failed:
                    failed.append(items[code])
            row.refs["failed_items"] = failed
            row.refs["checklist_item"] = None
            if values.get("checklist_item"):
                row.refs["checklist_item"] = items.get(values["checklist_item"])
                if row.refs["checklist_item"] is None:
                    row.error(
                        "隐患对应检查项", _("未知检查项编号“%(code)s”") % {"code": values["checklist_item"]}
                    )
            kind = values.get("kind")
            label = f"{values.get('premises')} {values['inspected_on'] or ''} {Inspection.Kind(kind).label if kind else ''}"
            row.label = f"{label}：{values['description']}" if values.get("description") else label

        premises_ids = {r.refs["premises"].pk for r in rows if r.refs["premises"] is not None}
        dates = {r.values["inspected_on"] for r in rows if r.values.get("inspected_on")}
        existing: dict[tuple, list[Inspection]] = defaultdict(list)
        queryset = Inspection.objects.filter(
            premises_id__in=premises_ids, inspected_on__in=dates
        ).prefetch_related(
            Prefetch("hazards", queryset=Hazard.objects.select_related("checklist_item")),
            Prefetch(
                "results",
                queryset=ChecklistResult.objects.filter(result=ChecklistResult.Result.FAIL).select_related(
                    "item"
                ),
                to_attr="failed_results",
            ),
        )
        for inspection in queryset.select_related("police_station"):
            existing[
                (
                    inspection.premises_id,
                    inspection.inspected_on,
                    inspection.kind,
                    norm(inspection.inspectors),
                )
            ].append(inspection)
        ctx.cache["existing_inspections"] = existing

    def group_key(self, row: ParsedRow) -> tuple | None:
        values = row.values
        if row.refs.get("premises") is None or not all(
            values.get(k) for k in ("inspected_on", "kind", "inspectors")
        ):
            return None
        return (row.refs["premises"].pk, values["inspected_on"], values["kind"], norm(values["inspectors"]))

    def key(self, row: ParsedRow) -> tuple | None:
        group = self.group_key(row)
        return None if group is None else (*group, norm(row.values.get("description")))

    def units(self, ctx: ImportContext, rows: list[ParsedRow]) -> list[list[ParsedRow]]:
        groups: dict[tuple, list[ParsedRow]] = {}
        units: list[list[ParsedRow]] = []
        for row in rows:
            group = self.group_key(row)
            if group is None:
                units.append([row])
            elif group in groups:
                groups[group].append(row)
            else:
                groups[group] = [row]
                units.append(groups[group])
        for unit in units:
            self._check_same_header(unit)
        return units

    def _check_same_header(self, unit: list[ParsedRow]) -> None:
        """The rows of one inspection must not disagree on its police station, signature or notes."""
        first_seen: dict[str, tuple[object, int]] = {}
        for row in unit:
            for key in HEADER_KEYS:
                value = row.refs["police_station"] if key == "police_station" else row.values.get(key)
                if value in (None, ""):
                    continue
                if key not in first_seen:
                    first_seen[key] = (value, row.number)
                elif first_seen[key][0] != value:
                    row.error(
                        self.header(key),
                        _("与同一次检查的第 %(row)d 行填写不一致") % {"row": first_seen[key][1]},
                    )
        for row in unit:
            row.refs["header"] = {key: seen[0] for key, seen in first_seen.items()}

    def apply(self, ctx: ImportContext, unit: list[ParsedRow]) -> None:
        first = unit[0]
        values, header = first.values, first.refs["header"]
        found = ctx.cache["existing_inspections"].get(self.group_key(first), [])
        if len(found) > 1:
            raise ImportRefusal(
                _(
                    "系统中已有多条相同的检查记录（同一单位、检查日期、检查类型和检查人员），无法确定对应哪一条"
                ),
                column="检查日期",
            )
        if found:
            self._apply_to_existing(ctx, unit, found[0])
            return
        failed = []
        for row in unit:
            failed.extend(item for item in row.refs["failed_items"] if item not in failed)
        inspection = services.inspection_record(
            premises=first.refs["premises"],
            kind=values["kind"],
            inspected_on=values["inspected_on"],
            inspectors=values["inspectors"],
            results=[{"item": item, "result": ChecklistResult.Result.FAIL} for item in failed],
            police_station=header.get("police_station"),
            signed_by=header.get("signed_by", ""),
            notes=header.get("notes", ""),
            by=ctx.by,
        )
        for row in unit:
            row.action = CREATE
            if row.values.get("description"):
                self._add_hazard(ctx, row, inspection)

    def _add_hazard(self, ctx: ImportContext, row: ParsedRow, inspection: Inspection) -> bool:
        """hazard_create in a savepoint of its own: a refusal lands on this row only."""
        try:
            with transaction.atomic():
                services.hazard_create(
                    inspection=inspection,
                    severity=row.values["severity"],
                    description=row.values["description"],
                    deadline=row.values["deadline"],
                    responsible_person=row.values["responsible_person"],
                    checklist_item=row.refs["checklist_item"],
                    by=ctx.by,
                )
        except REFUSALS as exc:
            self.refuse(row, exc)
            return False
        return True

    def _apply_to_existing(self, ctx: ImportContext, unit: list[ParsedRow], inspection: Inspection) -> None:
        recorded = {
            "police_station": inspection.police_station,
            "signed_by": inspection.signed_by,
            "notes": inspection.notes,
        }
        failed = {result.item for result in inspection.failed_results}
        hazards = {norm(h.description): h for h in inspection.hazards.all()}
        for row in unit:
            for key, old in recorded.items():
                new = row.refs["police_station"] if key == "police_station" else row.values.get(key)
                if new not in (None, "") and new != old:
                    row.error(self.header(key), _("该检查已登记，检查记录的内容不能通过导入修改"))
            extra = [item.code for item in row.refs["failed_items"] if item not in failed]
            if extra:
                recorded_codes = "、".join(sorted(i.code for i in failed)) or _("无")
                row.error(
                    "不合格检查项",
                    _("该检查已登记，不能通过导入增加检查项结果 %(codes)s（已登记不合格项：%(recorded)s）")
                    % {"codes": "、".join(extra), "recorded": recorded_codes},
                )
            if not row.ok:
                continue
            description = row.values.get("description")
            if not description:
                row.action = UNCHANGED
                continue
            hazard = hazards.get(norm(description))
            if hazard is None:
                if self._add_hazard(ctx, row, inspection):
                    row.action = UPDATE
                    row.changes.append(Change("隐患描述", "", description))
                continue
            differs = [
                self.header(key)
                for key in HAZARD_KEYS
                if (row.refs["checklist_item"] if key == "checklist_item" else row.values[key])
                != getattr(hazard, key)
            ]
            if differs:
                row.error(
                    differs[0],
                    _("该隐患已登记，%(columns)s不能通过导入修改（延长整改期限请在隐患页面办理）")
                    % {"columns": "、".join(column_title(header) for header in differs)},
                )
            else:
                row.action = UNCHANGED

    def export_queryset(self, queryset):
        return (
            queryset.select_related("township", "premises", "police_station")
            .prefetch_related(
                Prefetch("hazards", queryset=Hazard.objects.select_related("checklist_item").order_by("pk")),
                Prefetch(
                    "results",
                    queryset=ChecklistResult.objects.filter(result=ChecklistResult.Result.FAIL)
                    .select_related("item")
                    .order_by("item__order", "item__code"),
                    to_attr="failed_results",
                ),
            )
            .order_by("township__name", "inspected_on", "premises__name", "pk")
        )

    def export_rows(self, queryset):
        for inspection in self.export_queryset(queryset):
            header = {
                "township": inspection.township.name,
                "premises": inspection.premises.name,
                "premises_address": inspection.premises.address,
                "inspected_on": inspection.inspected_on,
                "kind": inspection.kind,
                "inspectors": inspection.inspectors,
                "police_station": inspection.police_station.name if inspection.police_station else "",
                "signed_by": inspection.signed_by,
                "notes": inspection.notes,
                "failed_items": "、".join(r.item.code for r in inspection.failed_results),
            }
            hazards = list(inspection.hazards.all())
            if not hazards:
                yield header
            for hazard in hazards:
                yield {
                    **header,
                    "description": hazard.description,
                    "severity": hazard.severity,
                    "deadline": hazard.deadline,
                    "responsible_person": hazard.responsible_person,
                    "checklist_item": hazard.checklist_item.code if hazard.checklist_item else "",
                }
