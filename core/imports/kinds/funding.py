"""经费预算: matched by township + year + category (funding_allocate / funding_update); the optional
已到位 column is the cumulative amount received: an increase is recorded with disbursement_record."""

from django.db.models import Max, OuterRef, Subquery

from core.imports.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportContext,
    ImportKind,
    ImportRefusal,
    ParsedRow,
    refusal_column,
    set_changes,
)
from core.imports.columns import Column
from firebrigade import services
from firebrigade.models import Disbursement, FundingAllocation, FundingCategory

DISBURSED = "已到位（元）"


class FundingKind(ImportKind):
    name = "funding"
    label = "经费预算"
    sheet = "经费预算"
    default_column = "预算金额（元）"
    match_rule = (
        "按“乡镇 + 年度 + 经费类别”匹配已有预算：匹配到的更新金额、来源和备注，其余新增。"
        "“已到位（元）”填累计到位金额：比系统中多出的部分按“到位日期”登记为一笔到位记录；不填则不变，不能减少。"
    )
    key_description = "乡镇、年度、经费类别相同"
    key_column = "经费类别"
    columns = [
        Column("乡镇", "township", required=True, example="褚庙乡"),
        Column("年度", "year", "year", required=True, example=2021),
        Column("经费类别", "category", "choice", required=True, choices=FundingCategory, example="人员经费"),
        Column(
            "预算金额（元）", "amount", "decimal", required=True, help="不能为负数", example=360000, width=16
        ),
        Column("资金来源", "source", example="县级财政", width=16),
        Column("备注", "note", example="", width=24),
        Column(
            DISBURSED, "disbursed", "decimal", help="累计已到位金额；不填表示不变", example=120000, width=14
        ),
        Column(
            "到位日期",
            "disbursed_on",
            "date",
            help="已到位金额增加时必填，不能晚于今天",
            example="2021-10-20",
        ),
        Column(
            "凭证号", "voucher_no", help="本次到位的凭证号，可不填", example="民财拨〔2021〕88号", width=20
        ),
    ]
    example = {c.key: c.example for c in columns}
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
        values = row.values
        desired = {key: values[key] for key in self.updated_keys}
        allocation = row.refs["allocation"]
        if allocation is None:
            allocation = services.funding_allocate(
                township=row.refs["township"],
                year=values["year"],
                category=values["category"],
                by=ctx.by,
                **desired,
            )
            self.disburse(ctx, row, allocation)
            row.action = CREATE
            return
        current = {key: getattr(allocation, key) for key in self.updated_keys}
        changed = set_changes(row, self, current, desired)
        if changed:
            services.funding_update(allocation=allocation, data=changed, by=ctx.by)
        if self.disburse(ctx, row, allocation):
            changed["disbursed"] = True
        row.action = UPDATE if changed else UNCHANGED

    def disburse(self, ctx: ImportContext, row: ParsedRow, allocation: FundingAllocation) -> bool:
        """Record the increase of the cumulative 已到位 amount, if any. True when one was recorded."""
        target = row.values.get("disbursed")
        if target is None:
            return False
        already = allocation.disbursed_amount
        increase = target - already
        if increase < 0:
            raise ImportRefusal(
                f"已到位金额不能减少：系统中已登记到位 {already:.2f} 元，本行填写 {target:.2f} 元",
                column=DISBURSED,
            )
        if increase == 0:
            return False
        if row.values.get("disbursed_on") is None:
            raise ImportRefusal(f"已到位金额增加了 {increase:.2f} 元，请填写到位日期", column="到位日期")
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

    def export_rows(self, queryset):
        for a in self.export_queryset(queryset):
            yield {
                "township": a.township.name,
                "year": a.year,
                "category": a.category,
                "amount": a.amount,
                "source": a.source,
                "note": a.note,
                "disbursed": a.disbursed_amount,
                "disbursed_on": a.last_disbursed_on,
                "voucher_no": a.last_voucher_no or "",
            }
