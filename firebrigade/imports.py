"""Importable kinds of the brigades app: members and equipment (the brigade is named together with its
township), and 经费预算, matched by township + year + category (funding_allocate / funding_update); its
optional 已到位 column is the cumulative amount received: an increase is recorded with
disbursement_record.

Every row is written by the services with `by` = the importing user, so the access policy
(firebrigade.access) refuses a row as it refuses the API or a page: members and equipment are the
brigade's township lead's or the center's, funding the center's."""

from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.imports.base import (
    UNCHANGED,
    UPDATE,
    ImportContext,
    ImportKind,
    ImportRefusal,
    ParsedRow,
    norm,
    refusal_column,
    set_changes,
)
from core.imports.columns import Column
from core.imports.registry import register
from firebrigade import access, services
from firebrigade.models import (
    Brigade,
    BrigadeMember,
    Disbursement,
    EquipmentItem,
    EquipmentType,
    FundingAllocation,
    FundingCategory,
)

# The brigade a member or an item belongs to, named with its township.
BRIGADE_COLUMNS = [
    Column(
        gettext_noop("乡镇"), "township", required=True, help=gettext_lazy("消防队所属乡镇"), example="褚庙乡"
    ),
    Column(
        gettext_noop("消防队"),
        "brigade",
        required=True,
        help=gettext_lazy("系统中登记的队伍全称"),
        example="褚庙乡专职消防队",
        width=22,
    ),
]


def resolve_brigade(ctx: ImportContext, row: ParsedRow) -> Brigade | None:
    """The brigade named in the row, which must belong to the row's township."""
    if "brigades" not in ctx.cache:
        ctx.cache["brigades"] = {norm(b.name): b for b in Brigade.objects.select_related("township")}
    name = row.values.get("brigade")
    township = row.refs.get("township")
    if not name:
        return None
    brigade = ctx.cache["brigades"].get(norm(name))
    if brigade is None:
        row.error("消防队", _("未知消防队“%(name)s”，请填写系统中登记的队伍全称") % {"name": name})
        return None
    if township is not None and brigade.township_id != township.pk:
        row.error(
            "消防队",
            _("消防队“%(brigade)s”不属于%(township)s（所属乡镇：%(own)s）")
            % {"brigade": brigade.name, "township": township.name, "own": brigade.township.name},
        )
        return None
    return brigade


@register
class MembersKind(ImportKind):
    model = BrigadeMember
    township_field = "brigade__township"
    name = "members"
    label = gettext_lazy("专职队员")
    sheet = "专职队员"
    default_column = "姓名"
    match_rule = gettext_lazy(
        "按“消防队 + 姓名 + 入职日期”匹配已有队员：匹配到的更新，其余新增；填写离职日期即登记离职。"
    )
    key_description = gettext_lazy("消防队、姓名、入职日期相同")
    match_keys = ("brigade", "name", "hired_on")
    columns = [
        *BRIGADE_COLUMNS,
        Column(gettext_noop("姓名"), "name", required=True, example="张强"),
        Column(
            gettext_noop("岗位"),
            "role",
            "choice",
            required=True,
            choices=BrigadeMember.Role,
            example="战斗员",
        ),
        Column(
            gettext_noop("入职日期"),
            "hired_on",
            "date",
            required=True,
            help=gettext_lazy("不能晚于今天"),
            example="2021-06-01",
        ),
        Column(gettext_noop("电话"), "phone", example="13903700002"),
        Column(gettext_noop("资格证书"), "certification", example="消防员国家职业资格五级", width=22),
        Column(gettext_noop("取证日期"), "certified_on", "date", example="2021-05-20"),
        Column(gettext_noop("合同到期"), "contract_until", "date", example="2024-05-31"),
        Column(
            gettext_noop("在岗执勤"),
            "on_duty",
            "bool",
            help=gettext_lazy("不填视为“是”；已填离职日期的视为“否”"),
            example="是",
        ),
        Column(
            gettext_noop("离职日期"),
            "left_on",
            "date",
            help=gettext_lazy("队员离职时填写；离职记录登记后不能修改"),
            example="",
        ),
    ]
    updated_keys = ("role", "phone", "certification", "certified_on", "contract_until", "on_duty")

    def check_row(self, row: ParsedRow) -> None:
        if row.values.get("left_on") is not None:
            if row.values.get("on_duty") is True:
                row.error("在岗执勤", _("已填写离职日期的队员不能在岗执勤，请填“否”"))
            row.values["on_duty"] = False
        elif row.values.get("on_duty") is None:
            row.values["on_duty"] = True

    def resolve(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        for row in rows:
            row.refs["township"] = ctx.township(row)
            row.refs["brigade"] = resolve_brigade(ctx, row)
            row.label = f"{row.values['brigade']}·{row.values['name']}"
        brigade_ids = {r.refs["brigade"].pk for r in rows if r.refs["brigade"] is not None}
        existing: dict[tuple, list[BrigadeMember]] = {}
        for member in BrigadeMember.objects.filter(brigade_id__in=brigade_ids):
            existing.setdefault((member.brigade_id, norm(member.name), member.hired_on), []).append(member)
        for row in rows:
            brigade = row.refs["brigade"]
            if brigade is not None and row.values.get("hired_on"):
                matches = existing.get((brigade.pk, norm(row.values["name"]), row.values["hired_on"]), [])
                if len(matches) > 1:
                    row.error(
                        "姓名", _("该队伍有多名同名且入职日期相同的队员，无法确定更新哪一位，请在系统中修改")
                    )
                row.refs["member"] = matches[0] if matches else None

    def key(self, row: ParsedRow) -> tuple | None:
        if not row.values.get("brigade") or not row.values.get("name") or not row.values.get("hired_on"):
            return None
        return (norm(row.values["brigade"]), norm(row.values["name"]), row.values["hired_on"])

    def desired(self, row: ParsedRow) -> dict[str, Any]:
        desired = super().desired(row)
        matched = row.refs["member"]
        if matched is not None and matched.left_on is None and row.values["left_on"] is not None:
            # Leaving sets on_duty itself: the update carries only the other columns.
            desired["on_duty"] = matched.on_duty
        return desired

    def apply(self, ctx: ImportContext, unit: list[ParsedRow]) -> None:
        (row,) = unit
        values = row.values
        matched = row.refs["member"]
        old_left_on = matched.left_on if matched is not None else None
        if old_left_on is not None and values["left_on"] is None:
            raise ImportRefusal(
                _("该队员已于 %(date)s 离职，离职记录不能通过导入撤销，请填写离职日期")
                % {"date": old_left_on.isoformat()},
                column="离职日期",
            )
        member = self.create_or_update(
            ctx,
            row,
            record="member",
            create=services.brigade_member_add,
            update=services.brigade_member_update,
        )
        if values["left_on"] != old_left_on:
            # Either a first departure, or a different date, which the service refuses.
            with refusal_column("离职日期"):
                services.brigade_member_leave(member=member, left_on=values["left_on"], by=ctx.by)
            if matched is not None:
                set_changes(row, self, {"left_on": old_left_on}, {"left_on": values["left_on"]})
                row.action = UPDATE

    def export_queryset(self, queryset):
        return queryset.select_related("brigade__township").order_by(
            "brigade__township__name", "brigade__name", "name", "hired_on", "pk"
        )

    def export_values(self, record):
        return {"township": record.brigade.township.name}


@register
class EquipmentKind(ImportKind):
    model = EquipmentItem
    township_field = "brigade__township"
    name = "equipment"
    label = gettext_lazy("消防装备")
    sheet = "消防装备"
    default_column = "装备名称"
    match_rule = gettext_lazy(
        "按“消防队 + 装备名称”匹配已有装备：匹配到的更新数量、状况和保养日期，其余新增。"
    )
    key_description = gettext_lazy("消防队、装备名称相同")
    match_keys = ("brigade", "equipment_type")
    columns = [
        *BRIGADE_COLUMNS,
        Column(
            gettext_noop("装备名称"),
            "equipment_type",
            required=True,
            help=gettext_lazy("系统装备类型表中的名称"),
            example="手抬机动泵",
            width=20,
        ),
        Column(
            gettext_noop("数量"), "quantity", "int", required=True, help=gettext_lazy("不能为负数"), example=2
        ),
        Column(
            gettext_noop("状况"),
            "condition",
            "choice",
            choices=EquipmentItem.Condition,
            help=gettext_lazy("不填视为“完好”"),
            example="完好",
        ),
        Column(gettext_noop("配备日期"), "acquired_on", "date", example="2021-07-01"),
        Column(gettext_noop("上次保养"), "last_maintained_on", "date", example="2021-10-15"),
        Column(
            gettext_noop("下次保养"),
            "next_maintenance_on",
            "date",
            help=gettext_lazy("不填则按装备类型的保养周期从上次保养推算"),
            example="",
        ),
        Column(gettext_noop("备注"), "note", example="", width=24),
    ]
    updated_keys = services.EQUIPMENT_FIELDS

    def check_row(self, row: ParsedRow) -> None:
        if row.values.get("condition") is None:
            row.values["condition"] = EquipmentItem.Condition.GOOD

    def resolve(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        types = {norm(t.name): t for t in EquipmentType.objects.all()}
        for row in rows:
            row.refs["township"] = ctx.township(row)
            row.refs["brigade"] = resolve_brigade(ctx, row)
            row.label = f"{row.values['brigade']}·{row.values['equipment_type']}"
            type_name = row.values.get("equipment_type")
            row.refs["equipment_type"] = types.get(norm(type_name)) if type_name else None
            if type_name and row.refs["equipment_type"] is None:
                row.error(
                    "装备名称",
                    _("未知装备类型“%(name)s”，请填写系统装备类型表中的名称") % {"name": type_name},
                )
        brigade_ids = {r.refs["brigade"].pk for r in rows if r.refs["brigade"] is not None}
        existing: dict[tuple[int, int], list[EquipmentItem]] = {}
        for item in EquipmentItem.objects.filter(brigade_id__in=brigade_ids).select_related("equipment_type"):
            existing.setdefault((item.brigade_id, item.equipment_type_id), []).append(item)
        for row in rows:
            brigade, equipment_type = row.refs["brigade"], row.refs["equipment_type"]
            row.refs["item"] = None
            if brigade is not None and equipment_type is not None:
                matches = existing.get((brigade.pk, equipment_type.pk), [])
                if len(matches) > 1:
                    row.error(
                        "装备名称", _("该队伍有多条同类装备记录，无法确定更新哪一条，请在系统中合并后再导入")
                    )
                row.refs["item"] = matches[0] if matches else None

    def key(self, row: ParsedRow) -> tuple | None:
        if not row.values.get("brigade") or not row.values.get("equipment_type"):
            return None
        return (norm(row.values["brigade"]), norm(row.values["equipment_type"]))

    def desired(self, row: ParsedRow) -> dict[str, Any]:
        desired = super().desired(row)
        if row.refs["item"] is not None and desired["next_maintenance_on"] is None:
            # An empty cell means "from the type's interval", as the service computes it.
            desired["next_maintenance_on"] = services.equipment_next_maintenance(
                equipment_type=row.refs["equipment_type"], last_maintained_on=desired["last_maintained_on"]
            )
        return desired

    def apply(self, ctx: ImportContext, unit: list[ParsedRow]) -> None:
        (row,) = unit
        self.create_or_update(
            ctx, row, record="item", create=services.equipment_item_add, update=services.equipment_item_update
        )

    def export_queryset(self, queryset):
        return queryset.select_related("brigade__township", "equipment_type").order_by(
            "brigade__township__name", "brigade__name", "equipment_type__name", "pk"
        )

    def export_values(self, record):
        return {"township": record.brigade.township.name}


DISBURSED = gettext_noop("已到位（元）")


@register
class FundingKind(ImportKind):
    model = FundingAllocation
    township_field = "township"
    name = "funding"
    label = gettext_lazy("经费预算")
    sheet = "经费预算"
    default_column = "预算金额（元）"
    match_rule = gettext_lazy(
        "按“乡镇 + 年度 + 经费类别”匹配已有预算：匹配到的更新金额、来源和备注，其余新增。"
        "“已到位（元）”填累计到位金额：比系统中多出的部分按“到位日期”登记为一笔到位记录；不填则不变，不能减少。"
    )
    key_description = gettext_lazy("乡镇、年度、经费类别相同")
    match_keys = ("township", "year", "category")
    key_column = "经费类别"
    columns = [
        Column(gettext_noop("乡镇"), "township", required=True, example="褚庙乡"),
        Column(gettext_noop("年度"), "year", "year", required=True, example=2021),
        Column(
            gettext_noop("经费类别"),
            "category",
            "choice",
            required=True,
            choices=FundingCategory,
            example="人员经费",
        ),
        Column(
            gettext_noop("预算金额（元）"),
            "amount",
            "decimal",
            required=True,
            help=gettext_lazy("不能为负数"),
            example=360000,
            width=16,
        ),
        Column(gettext_noop("资金来源"), "source", example="县级财政", width=16),
        Column(gettext_noop("备注"), "note", example="", width=24),
        Column(
            DISBURSED,
            "disbursed",
            "decimal",
            help=gettext_lazy("累计已到位金额；不填表示不变"),
            example="",
            width=14,
        ),
        Column(
            gettext_noop("到位日期"),
            "disbursed_on",
            "date",
            help=gettext_lazy("已到位金额增加时必填，不能晚于今天"),
            example="",
        ),
        Column(
            gettext_noop("凭证号"),
            "voucher_no",
            help=gettext_lazy("本次到位的凭证号，可不填"),
            example="",
            width=20,
        ),
    ]
    updated_keys = ("amount", "source", "note")

    def resolve(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        for row in rows:
            row.refs["township"] = ctx.township(row)
            category = row.values.get("category")
            category_label = FundingCategory(category).label if category else ""
            row.label = f"{row.values['township']} {row.values.get('year') or ''} {category_label}"
        existing = {
            (a.township_id, a.year, a.category): a
            for a in FundingAllocation.objects.filter(township_id__in=ctx.township_ids(rows))
        }
        for row in rows:
            township = row.refs["township"]
            row.refs["allocation"] = (
                existing.get((township.pk, row.values["year"], row.values["category"])) if township else None
            )

    def key(self, row: ParsedRow) -> tuple | None:
        if not row.values.get("township") or not row.values.get("year") or not row.values.get("category"):
            return None
        return (row.values["township"], row.values["year"], row.values["category"])

    def apply(self, ctx: ImportContext, unit: list[ParsedRow]) -> None:
        (row,) = unit
        # Even a row that changes nothing is refused to whom may not keep funding.
        access.check_funding_change(by=ctx.by)
        allocation = self.create_or_update(
            ctx, row, record="allocation", create=services.funding_allocate, update=services.funding_update
        )
        if self.disburse(ctx, row, allocation) and row.action == UNCHANGED:
            row.action = UPDATE

    def disburse(self, ctx: ImportContext, row: ParsedRow, allocation: FundingAllocation) -> bool:
        """Record the increase of the cumulative 已到位 amount, if any. True when one was recorded."""
        target = row.values.get("disbursed")
        if target is None:
            return False
        already = allocation.disbursed_amount
        increase = target - already
        if increase < 0:
            raise ImportRefusal(
                _("已到位金额不能减少：系统中已登记到位 %(already).2f 元，本行填写 %(target).2f 元")
                % {"already": already, "target": target},
                column=DISBURSED,
            )
        if increase == 0:
            return False
        if row.values.get("disbursed_on") is None:
            raise ImportRefusal(
                _("已到位金额增加了 %(increase).2f 元，请填写到位日期") % {"increase": increase},
                column="到位日期",
            )
        with refusal_column(DISBURSED):
            services.disbursement_record(
                allocation=allocation,
                amount=increase,
                disbursed_on=row.values["disbursed_on"],
                voucher_no=row.values.get("voucher_no") or "",
                by=ctx.by,
            )
        set_changes(row, self, {"disbursed": already}, {"disbursed": target})
        return True

    def export_queryset(self, queryset):
        latest = Disbursement.objects.filter(allocation=OuterRef("pk")).order_by("-disbursed_on", "-pk")
        return (
            queryset.select_related("township")
            .annotate(
                last_disbursed_on=Max("disbursements__disbursed_on"),
                last_voucher_no=Subquery(latest.values("voucher_no")[:1]),
            )
            .order_by("township__name", "-year", "category", "pk")
        )

    def export_values(self, record):
        return {
            "disbursed": record.disbursed_amount,
            "disbursed_on": record.last_disbursed_on,
            "voucher_no": record.last_voucher_no,
        }
