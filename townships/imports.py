"""社会单位: matched by township + name + address; new ones are created, known ones updated (only
the columns that differ). Imported in bulk: every row goes through the services' rules —
premises_build for a new one, premises_revise for a changed one (locked first), the access policy
applied to the importing user (ctx.by) — against lookups loaded once, a refusal being the row's
error in the services' words; then premises_save_many writes them all with their history rows.
Row by row (premises_create / premises_update) is the way back when the database refuses that."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.imports.base import (
    CREATE,
    REFUSALS,
    UNCHANGED,
    UPDATE,
    ImportContext,
    ImportKind,
    ParsedRow,
    norm,
)
from core.imports.columns import Column
from core.imports.registry import register
from townships import services
from townships.models import Grid, PoliceStation, Premises

# The columns that match a row to a premises; the others are its details, updated when they differ.
MATCH_KEYS = ("township", "name", "address")


def premises_lookup(township_ids: set[int]) -> dict[tuple[int, str, str], list[Premises]]:
    """Premises of these townships by (township id, name, address), names compared trimmed."""
    found: dict[tuple[int, str, str], list[Premises]] = {}
    queryset = Premises.objects.filter(township_id__in=township_ids).select_related(
        "township", "grid", "police_station"
    )
    for premises in queryset:
        found.setdefault((premises.township_id, norm(premises.name), norm(premises.address)), []).append(
            premises
        )
    return found


def police_station_lookup(ctx: ImportContext) -> dict[str, list[PoliceStation]]:
    if "police_stations" not in ctx.cache:
        stations: dict[str, list[PoliceStation]] = {}
        queryset = PoliceStation.objects.all()
        if ctx.county_id is not None:
            queryset = queryset.filter(county_id=ctx.county_id)
        for station in queryset:
            stations.setdefault(norm(station.name), []).append(station)
        ctx.cache["police_stations"] = stations
    return ctx.cache["police_stations"]


def resolve_police_station(ctx: ImportContext, row: ParsedRow, *, header: str, township) -> Any:
    name = row.values.get("police_station")
    if not name:
        return None
    found = police_station_lookup(ctx).get(norm(name), [])
    if township is not None:
        found = [s for s in found if s.county_id == township.county_id] or found
    if not found:
        row.error(header, _("未知派出所“%(name)s”，请填写系统中的派出所全称") % {"name": name})
        return None
    if len(found) > 1:
        row.error(header, _("派出所名称“%(name)s”重名，无法确定是哪一个") % {"name": name})
        return None
    return found[0]


@register
class PremisesKind(ImportKind):
    model = Premises
    township_field = "township"
    name = "premises"
    label = gettext_lazy("社会单位")
    sheet = "社会单位"
    default_column = "单位名称"
    match_rule = gettext_lazy(
        "按“乡镇 + 单位名称 + 地址”匹配已有单位：匹配到的更新（只改有变化的列），其余新增。"
    )
    key_description = gettext_lazy("乡镇、单位名称、地址相同")
    match_keys = MATCH_KEYS
    columns = [
        Column(
            gettext_noop("乡镇"),
            "township",
            required=True,
            help=gettext_lazy("单位所在乡镇（街道办）全称"),
            example="褚庙乡",
        ),
        Column(
            gettext_noop("单位名称"),
            "name",
            required=True,
            help=gettext_lazy("与营业执照或门头一致"),
            example="褚庙乡福民超市",
            width=24,
        ),
        Column(
            gettext_noop("地址"),
            "address",
            help=gettext_lazy("用于区分同名单位"),
            example="褚庙乡政府街18号",
            width=28,
        ),
        Column(
            gettext_noop("类别"),
            "category",
            "choice",
            required=True,
            choices=Premises.Category,
            example="商铺",
        ),
        Column(
            gettext_noop("风险等级"),
            "risk_level",
            "choice",
            required=True,
            choices=Premises.RiskLevel,
            example="中风险",
        ),
        Column(
            gettext_noop("消防安全重点单位"),
            "is_key_unit",
            "bool",
            help=gettext_lazy("不填视为“否”"),
            example="否",
        ),
        Column(gettext_noop("消防安全责任人"), "responsible_person", required=True, example="王福民"),
        Column(
            gettext_noop("责任人电话"),
            "responsible_phone",
            required=True,
            help=gettext_lazy("手机或带区号的固定电话"),
            example="13903700000",
        ),
        Column(gettext_noop("消防安全管理人"), "manager", example="王小明"),
        Column(gettext_noop("管理人电话"), "manager_phone", example="13903700001"),
        Column(
            gettext_noop("网格"),
            "grid",
            help=gettext_lazy("本乡镇已登记的网格名称，可不填"),
            example="第1网格",
        ),
        Column(
            gettext_noop("辖区派出所"),
            "police_station",
            help=gettext_lazy("辖区派出所全称，可不填"),
            example="南华派出所",
            width=18,
        ),
    ]
    updated_keys = tuple(c.key for c in columns if c.key not in MATCH_KEYS)

    def resolve(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        for row in rows:
            row.refs["township"] = ctx.township(row)
        township_ids = ctx.township_ids(rows)
        grids: dict[tuple[int, str], Grid] = {
            (g.township_id, norm(g.name)): g for g in Grid.objects.filter(township_id__in=township_ids)
        }
        existing = premises_lookup(township_ids)
        for row in rows:
            township = row.refs["township"]
            row.label = f"{row.values['township']}·{row.values['name']}"
            grid_name = row.values.get("grid")
            row.refs["grid"] = None
            if township is not None and grid_name:
                row.refs["grid"] = grids.get((township.pk, norm(grid_name)))
                if row.refs["grid"] is None:
                    row.error(
                        "网格",
                        _("%(township)s没有名为“%(grid)s”的网格，请先登记网格或不填")
                        % {"township": township.name, "grid": grid_name},
                    )
            row.refs["police_station"] = resolve_police_station(
                ctx, row, header="辖区派出所", township=township
            )
            if township is not None:
                matches = existing.get(
                    (township.pk, norm(row.values["name"]), norm(row.values["address"])), []
                )
                row.refs["premises"] = matches[0] if matches else None
        ctx.cache["premises_lookups"] = services.premises_lookups(township_ids=township_ids)

    def key(self, row: ParsedRow) -> tuple | None:
        if not row.values.get("township") or not row.values.get("name"):
            return None
        return (row.values["township"], norm(row.values["name"]), norm(row.values["address"]))

    def desired(self, row: ParsedRow) -> dict[str, Any]:
        values = dict(row.values)
        values["is_key_unit"] = bool(values.get("is_key_unit"))
        values["grid"] = row.refs["grid"]
        values["police_station"] = row.refs["police_station"]
        return {key: values[key] for key in self.updated_keys}

    def prepare_bulk(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        lookups = ctx.cache["premises_lookups"]
        changes: dict[int, dict[str, Any]] = {}
        for row in rows:
            premises = row.refs["premises"]
            if premises is not None:
                changes[row.number] = self.record_changes(row, premises, self.desired(row))
        # The rows to change, locked and read again as premises_update does, in one query.
        ids = [row.refs["premises"].pk for row in rows if changes.get(row.number)]
        locked = services.premises_lock(ids=ids) if ids else {}
        for row in rows:
            premises, changed = row.refs["premises"], changes.get(row.number)
            try:
                if premises is None:
                    row.refs["instance"] = services.premises_build(
                        **self.identity(row), **self.desired(row), by=ctx.by, lookups=lookups
                    )
                    row.action = CREATE
                elif changed:
                    if premises.pk not in locked:
                        raise Premises.DoesNotExist
                    row.refs["instance"] = services.premises_revise(
                        premises=locked[premises.pk], data=changed, by=ctx.by, lookups=lookups
                    )
                    row.refs["changed"] = changed
                    row.action = UPDATE
                else:
                    row.action = UNCHANGED
            except REFUSALS as exc:
                self.refuse(row, exc)

    def apply_bulk(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        updates = [row for row in rows if row.action == UPDATE]
        services.premises_save_many(
            created=[row.refs["instance"] for row in rows if row.action == CREATE],
            updated=[row.refs["instance"] for row in updates],
            fields={key for row in updates for key in row.refs["changed"]},
            by=ctx.by,
        )

    def apply(self, ctx: ImportContext, unit: list[ParsedRow]) -> None:
        (row,) = unit
        self.create_or_update(
            ctx, row, record="premises", create=services.premises_create, update=services.premises_update
        )

    def export_queryset(self, queryset):
        return queryset.select_related("township", "grid", "police_station").order_by(
            "township__name", "name", "address", "pk"
        )
