"""The rest of the demo county, in two eras.

History, made once: grids and premises, brigades in every state, the 2021 funding, the 2021—2022
winter-spring campaign and the seed meeting's directives assigned to every township — all closed by
now, some late — and the fire whose trace-back shows the hazard left overdue before it.

The present, made once per season and dated relative to the day the demo is loaded on (the county's
clock, core.clock): the season of that day (season_of) with its campaign, inspections and hazards in
every state, its own 推进会 with assignments in every state, its fires, this year's funding and the
equipment's maintenance in a realistic spread. Nothing is left more than STALE_DAYS late, so no
figure or reminder claims more than a season. Then one demo account per role and every township's
principal leader.

Everything is written through the services, so the demo obeys the same rules as real data.
Random choices come from fixed seeds: a fresh load on a given day is always the same county.
"""

import datetime as dt
import random
import secrets
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Max, Q
from django.utils import timezone

from core.clock import local_today
from core.models import Role
from core.services import user_create_with_role
from firebrigade import services as brigade_services
from firebrigade.models import (
    Brigade,
    BrigadeClass,
    BrigadeMember,
    BrigadeStandard,
    EquipmentCheck,
    EquipmentItem,
    EquipmentRequirement,
    EquipmentType,
    FireIncident,
    FundingAllocation,
    FundingCategory,
    TrainingRecord,
)
from inspections import selectors as inspection_selectors
from inspections import services as inspection_services
from inspections.models import (
    Campaign,
    ChecklistItem,
    HandoverAction,
    Hazard,
    HazardHandover,
    HazardSupervision,
    Inspection,
)
from inspections.selectors import hazard_overdue_q
from meetings import services as meeting_services
from meetings.models import Assignment, Attendance, Directive, Meeting, Statement
from meetings.selectors import assignment_overdue_q
from townships import services as township_services
from townships.models import County, GridMember, PoliceStation, Premises, SensitivePeriod, Township

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN_2021 = "2021—2022年度冬春火灾防控"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "建国",
    "志强",
    "海涛",
    "红梅",
    "立新",
    "卫东",
    "秀英",
    "国庆",
    "文华",
    "德胜",
    "春生",
    "玉兰",
    "振华",
    "明亮",
]
CENTER = "县消防安全检查指导服务中心"

STANDARDS = {
    BrigadeClass.CLASS_1: (15, 2, 600, "一级专职消防队：执勤人员不少于 15 人，消防车不少于 2 辆。"),
    BrigadeClass.CLASS_2: (8, 1, 300, "二级专职消防队：执勤人员不少于 8 人，消防车不少于 1 辆。"),
    BrigadeClass.VOLUNTEER: (5, 1, 100, "志愿消防队：队员不少于 5 人，配备消防车或手抬机动泵。"),
}
# (name, category, unit, maintenance days, required per class: class1, class2, volunteer)
EQUIPMENT = [
    ("水罐消防车", EquipmentType.Category.VEHICLE, "辆", 90, (2, 1, 1)),
    ("手抬机动泵", EquipmentType.Category.PUMP, "台", 90, (2, 1, 1)),
    ("消防水带", EquipmentType.Category.HOSE, "盘", 180, (30, 20, 10)),
    ("正压式空气呼吸器", EquipmentType.Category.BREATHING, "具", 90, (8, 4, 0)),
    ("灭火防护服", EquipmentType.Category.PROTECTIVE, "套", 365, (20, 12, 6)),
    ("破拆工具组", EquipmentType.Category.RESCUE, "套", 180, (2, 1, 0)),
    ("手提式灭火器", EquipmentType.Category.EXTINGUISHER, "具", 365, (20, 10, 10)),
    ("对讲机", EquipmentType.Category.COMMUNICATION, "部", 365, (8, 4, 2)),
]
# A township's yearly budget for its brigade (yuan), by category.
FUNDING_PLAN = {
    FundingCategory.PERSONNEL: 360000,
    FundingCategory.OFFICE: 60000,
    FundingCategory.EQUIPMENT: 400000,
}

CHECKLIST = [
    ("JC01", "疏散通道、安全出口畅通", "疏散"),
    ("JC02", "灭火器配置齐全且在有效期内", "器材"),
    ("JC03", "电气线路敷设规范，无私拉乱接", "用电"),
    ("JC04", "取暖用火用电安全，无违规使用电暖器、煤炉", "取暖"),
    ("JC05", "消防车通道畅通，无占用堵塞", "通道"),
    ("JC06", "电动自行车未在室内、楼道停放充电", "用电"),
    ("JC07", "消防安全责任人、管理人明确，制度上墙", "管理"),
    ("JC08", "员工会报警、会扑救初起火灾、会组织疏散", "培训"),
]
# Asked only of premises of these categories (inspections.selectors.checklist_items_for).
CHECKLIST_BY_CATEGORY = [
    ("JC09", "学生宿舍无违规使用大功率电器，夜间有人值守巡查", "宿舍", ["school"]),
    ("JC10", "摊位之间留有防火间距，市场内消防通道不被摊位占用", "通道", ["market"]),
    ("JC11", "物品分类分垛储存，与照明灯具保持安全距离", "储存", ["factory", "warehouse"]),
    ("JC12", "营业期间安全出口不锁闭，疏散指示标志和应急照明完好", "疏散", ["entertainment", "hotel"]),
    ("JC13", "卧床老人、病人有夜间值班人员和疏散预案", "疏散", ["medical"]),
]
HAZARD_TEXT = {
    "JC01": "安全出口堆放杂物，疏散通道堵塞",
    "JC02": "灭火器过期未更换",
    "JC03": "电气线路私拉乱接，未穿管保护",
    "JC04": "室内使用煤炉取暖，无通风措施",
    "JC05": "消防车通道被货物占用",
    "JC06": "电动自行车在楼道内充电",
    "JC07": "未明确消防安全管理人",
    "JC08": "员工不会使用灭火器",
}
PREMISES_KINDS = [
    (Premises.Category.MARKET, "集贸市场", Premises.RiskLevel.HIGH),
    (Premises.Category.SCHOOL, "中心小学", Premises.RiskLevel.HIGH),
    (Premises.Category.FACTORY, "面粉厂", Premises.RiskLevel.MEDIUM),
    (Premises.Category.WAREHOUSE, "农资仓库", Premises.RiskLevel.HIGH),
    (Premises.Category.SHOP, "便民超市", Premises.RiskLevel.MEDIUM),
    (Premises.Category.MEDICAL, "敬老院", Premises.RiskLevel.HIGH),
    (Premises.Category.HOTEL, "宾馆", Premises.RiskLevel.MEDIUM),
    (Premises.Category.RESIDENTIAL, "村民聚居区", Premises.RiskLevel.LOW),
]


def person(index: int, k: int = 0) -> str:
    return SURNAMES[(index * 7 + k * 3) % len(SURNAMES)] + GIVEN[(index + k * 5) % len(GIVEN)]


def leaders(index: int) -> tuple[str, str]:
    return person(index, 1), person(index, 2)


def phone(index: int, k: int) -> str:
    return f"13{(index * 37 + k * 11) % 10}{(index * 7919 + k * 104729) % 100000000:08d}"


def attach_rural_townships(county: County, townships: dict[str, Township]) -> None:
    """Townships (乡) have no police station of their own: each is covered by a neighbouring town's."""
    stations = list(PoliceStation.objects.filter(county=county).order_by("id"))
    rural = [t for t in townships.values() if t.kind == Township.Kind.TOWNSHIP]
    for index, township in enumerate(rural):
        station = stations[index % len(stations)]
        station.townships.add(township)


def load(county: County, townships: dict[str, Township], today: dt.date) -> dict[str, int]:
    """The 2021 history (once), the season of `today` (once per season) and the demo accounts."""
    created: dict[str, int] = {}
    created["departments"] = _departments(county)
    if not Campaign.objects.filter(county=county, name=CAMPAIGN_2021).exists():
        created.update(_history(county, townships))
    created.update(_season(county, townships, today))
    created["demo_users"] = _users(townships)
    if season_of(today)[0].year > 2021:  # a demo of the 2021 history alone is of its time: no patrols
        created["patrols"] = _patrols(today)
    created["handovers"] = _handover(county, today)
    created["supervisions"] = _supervision(county, today)
    created["archive_records"] = _archive(county, today)
    return created


def _history(county, townships) -> dict[str, int]:
    """The seed's era: the 2021—2022 season and the 2021-11-17 meeting's tasks, all closed by now
    (some late), with the fire whose trace-back shows the hazard left overdue before it."""
    rng = random.Random(20211117)  # noqa: S311 - demo data, not security
    standards, types = _standards()
    checklist = _checklist()
    premises = _premises(townships, rng)
    brigades = _brigades(townships, standards, types, rng)
    _funding(townships, rng)
    campaign = _campaign_2021(county, townships, premises, checklist, rng)
    incidents = _incidents(townships, premises, brigades, campaign, rng)
    _assignments(county, townships, rng)
    return {
        "premises": sum(len(p) for p in premises.values()),
        "brigades": len(brigades),
        "inspections": Inspection.objects.filter(township__county=county).count(),
        "hazards": Hazard.objects.filter(township__county=county).count(),
        "incidents": len(incidents),
    }


def _standards():
    standards = {}
    for brigade_class, (staff, vehicles, area, notes) in STANDARDS.items():
        standards[brigade_class], _ = BrigadeStandard.objects.get_or_create(
            brigade_class=brigade_class,
            defaults={
                "min_staff": staff,
                "min_vehicles": vehicles,
                "min_station_area_m2": area,
                "notes": notes,
            },
        )
    types = {}
    for name, category, unit, days, required in EQUIPMENT:
        types[name], _ = EquipmentType.objects.get_or_create(
            name=name, defaults={"category": category, "unit": unit, "maintenance_interval_days": days}
        )
        for brigade_class, quantity in zip(STANDARDS, required, strict=True):
            if quantity:
                EquipmentRequirement.objects.get_or_create(
                    standard=standards[brigade_class],
                    equipment_type=types[name],
                    defaults={"quantity": quantity},
                )
    return standards, types


def _checklist():
    """Every demo checklist item: the common ones, then those of some premises categories."""
    rows = [(*row, []) for row in CHECKLIST] + CHECKLIST_BY_CATEGORY
    items = []
    for order, (code, text, category, premises_categories) in enumerate(rows, start=1):
        item, _ = ChecklistItem.objects.get_or_create(
            code=code,
            defaults={
                "text": text,
                "category": category,
                "premises_categories": premises_categories,
                "order": order,
            },
        )
        items.append(item)
    return items


def _premises(townships, rng) -> dict[int, list[Premises]]:
    result = {}
    for t_index, township in enumerate(townships.values()):
        short = (
            township.name.removesuffix("街道").removesuffix("回族乡").removesuffix("乡").removesuffix("镇")
        )
        grids = [
            township_services.grid_create(
                township=township, name=f"第{n}网格", area_description=f"{short}第{n}片区"
            )
            for n in range(1, 4)
        ]
        for g_index, grid in enumerate(grids):
            township_services.grid_member_add(
                grid=grid,
                name=person(t_index * 3 + g_index, 4),
                phone=phone(t_index * 3 + g_index, 4),
                role="chief",
            )
            township_services.grid_member_add(
                grid=grid, name=person(t_index * 3 + g_index, 5), phone=phone(t_index * 3 + g_index, 5)
            )
        station = township.police_stations.order_by("id").first()
        result[township.id] = []
        for p_index, (category, suffix, risk) in enumerate(PREMISES_KINDS):
            result[township.id].append(
                township_services.premises_create(
                    township=township,
                    name=f"{short}{suffix}",
                    address=f"{township.name}{short}街{p_index + 1}号",
                    category=category,
                    risk_level=risk,
                    is_key_unit=risk == Premises.RiskLevel.HIGH,
                    responsible_person=person(t_index * 8 + p_index, 6),
                    responsible_phone=phone(t_index * 8 + p_index, 6),
                    manager=person(t_index * 8 + p_index, 7),
                    manager_phone=phone(t_index * 8 + p_index, 7),
                    grid=grids[p_index % 3],
                    police_station=station,
                    is_demo=True,
                )
            )
        township_services.responsibility_agreement_sign(
            township=township,
            year=2021,
            signatory=township.principal_leader,
            counterparty="民权县人民政府",
            scope="落实乡镇消防安全责任制，完成专职消防队建设和冬春火灾防控任务。",
            signed_on=dt.date(2021, 3, 10),
        )
    return result


# Construction state by township index: most built, some accepted, a few behind.
BRIGADE_PLAN = [
    "accepted",
    "accepted",
    "established",
    "accepted",
    "under_construction",
    "established",
    "planned",
]


def _brigades(townships, standards, types, rng) -> dict[int, Brigade]:
    brigades = {}
    names = list(townships)
    shared = {"林七乡": "野岗乡"}  # 林七乡 is served by 野岗乡's brigade (共建)
    for index, name in enumerate(names):
        if name in shared:
            continue
        township = townships[name]
        state = BRIGADE_PLAN[index % len(BRIGADE_PLAN)]
        brigade_class = (
            BrigadeClass.CLASS_1
            if township.kind == Township.Kind.SUBDISTRICT
            else BrigadeClass.VOLUNTEER
            if index % 5 == 4
            else BrigadeClass.CLASS_2
        )
        standard = standards[brigade_class]
        also = [townships[k] for k, v in shared.items() if v == name]
        brigade = brigade_services.brigade_create(
            township=township,
            name=f"{name}专职消防队",
            brigade_class=brigade_class,
            station_address=f"{name}政府院内" if state != "planned" else "",
            station_area_m2=standard.min_station_area_m2 + 50 if state != "planned" else None,
            duty_phone=phone(index, 9),
            also_serves=also,
            is_demo=True,
        )
        brigades[township.id] = brigade
        if state == "planned":
            continue
        brigade_services.brigade_start_construction(brigade=brigade, started_on=dt.date(2021, 4, 1))
        staff = standard.min_staff + (
            1 if state == "accepted" else -2 if state == "under_construction" else 0
        )
        roles = [BrigadeMember.Role.CAPTAIN, BrigadeMember.Role.DRIVER] + [
            BrigadeMember.Role.FIREFIGHTER
        ] * 30
        for m in range(max(staff, 2)):
            brigade_services.brigade_member_add(
                brigade=brigade,
                name=person(index * 20 + m, 8),
                role=roles[m],
                hired_on=dt.date(2021, 5, 1) + dt.timedelta(days=m),
                phone=phone(index * 20 + m, 8),
                certification="消防员国家职业资格（初级）" if m % 2 == 0 else "",
            )
        share = 1.0 if state == "accepted" else 0.6 if state == "established" else 0.3
        for type_name, *_rest in EQUIPMENT:
            requirement = EquipmentRequirement.objects.filter(
                standard=standard, equipment_type=types[type_name]
            ).first()
            if requirement is None:
                continue
            quantity = (
                max(1, round(requirement.quantity * share))
                if share >= 0.6
                else round(requirement.quantity * share)
            )
            if quantity == 0:
                continue
            brigade_services.equipment_item_add(
                brigade=brigade,
                equipment_type=types[type_name],
                quantity=quantity,
                acquired_on=dt.date(2021, 6, 1),
                last_maintained_on=dt.date(2021, 10, 1) + dt.timedelta(days=rng.randint(0, 40)),
            )
        if state in ("established", "accepted"):
            brigade_services.brigade_mark_established(
                brigade=brigade, established_on=dt.date(2021, 9, 30), by=None
            )
        if state == "accepted":
            brigade_services.brigade_accept(
                brigade=brigade, accepted_on=dt.date(2021, 12, 20), accepted_by=CENTER, by=None
            )
    return brigades


def _funding(townships, rng) -> None:
    for index, township in enumerate(townships.values()):
        for category, amount in FUNDING_PLAN.items():
            allocation = brigade_services.funding_allocate(
                township=township, year=2021, category=category, amount=Decimal(amount), source="县财政"
            )
            ratio = [1.0, 0.75, 0.5, 0.25, 0.0][(index + len(category)) % 5]
            paid = Decimal(amount) * Decimal(str(ratio))
            for quarter in range(2):
                part = (paid / 2).quantize(Decimal("0.01"))
                if part > 0:
                    brigade_services.disbursement_record(
                        allocation=allocation,
                        amount=part,
                        disbursed_on=dt.date(2021, 6 + quarter * 5, 15),
                        voucher_no=f"MQ2021-{index:02d}{quarter}{len(category)}",
                        by=None,
                    )


def _inspect(
    premises,
    when,
    checklist,
    rng,
    *,
    plan=None,
    kind="township",
    inspectors="",
    fail_codes=(),
    by=None,
    deadline_days=15,
    police_station=None,
):
    failing = set(fail_codes)
    checklist = [
        item for item in checklist if inspection_selectors.checklist_item_applies(item, premises.category)
    ]
    results = [
        {"item": item, "result": "fail" if item.code in failing else "pass", "note": ""} for item in checklist
    ]
    hazards = [
        {
            "severity": Hazard.Severity.MAJOR
            if item.code in {"JC01", "JC04"} and len(failing) > 1
            else Hazard.Severity.GENERAL,
            "description": HAZARD_TEXT[item.code],
            "deadline": when + dt.timedelta(days=deadline_days),
            "responsible_person": premises.responsible_person,
            "checklist_item": item,
        }
        for item in checklist
        if item.code in failing
    ]
    return inspection_services.inspection_record(
        premises=premises,
        kind=kind,
        inspected_on=when,
        inspectors=inspectors or "乡镇消防专干、网格员",
        results=results,
        hazards=hazards,
        plan=plan,
        police_station=police_station,
        signed_by=premises.responsible_person,
        by=by,
    )


def _advance(hazard: Hazard, stage: str, when: dt.date) -> None:
    """Move a hazard along the closed loop, from where it stands, up to `stage`: rectified on `when`
    (unless it awaits its re-inspection already), re-inspected two days later or today if sooner."""
    if stage == "open":
        return
    hazard.refresh_from_db(fields=["status"])
    status = hazard.status
    if status == Hazard.Status.OPEN:
        inspection_services.hazard_start_rectifying(hazard=hazard)
        status = Hazard.Status.RECTIFYING
    if stage == "rectifying":
        return
    if status == Hazard.Status.RECTIFYING:
        inspection_services.hazard_rectify(
            hazard=hazard,
            rectified_on=when,
            rectified_by=hazard.responsible_person,
            measures="已按要求整改完毕",
        )
    if stage == "awaiting":
        return
    passed = stage != "rejected"
    inspection_services.hazard_reinspect(
        hazard=hazard,
        inspected_on=min(when + dt.timedelta(days=2), local_today()),
        inspectors="乡镇消防专干",
        passed=passed,
        note="" if passed else "复查发现仍有杂物堆放，整改不彻底",
    )


def _township_plans(campaign, townships, premises, *, title: str, due_on: dt.date):
    """Township by township (each plan made just before its inspections are recorded): its index, its
    premises and its plan of `campaign` covering them all, titled "<township><title>"."""
    for t_index, township in enumerate(townships.values()):
        targets = premises[township.id]
        plan = inspection_services.inspection_plan_create(
            campaign=campaign,
            township=township,
            title=f"{township.name}{title}",
            due_on=due_on,
            premises=targets,
        )
        yield t_index, targets, plan


# How each hazard of the 2021 season ended: all verified by now, some late, one after a failed
# re-inspection (the trace-back shows the whole loop).
STAGES_2021 = ["verified", "verified", "late", "verified", "rejected", "verified", "late"]
# Hazards of the current season, in every state of the loop.
STAGES = ["verified", "open", "awaiting", "rectifying", "verified", "rejected", "late", "open"]


def _campaign_2021(county, townships, premises, checklist, rng) -> Campaign:
    campaign = inspection_services.campaign_create(
        county=county,
        name=CAMPAIGN_2021,
        kind=Campaign.Kind.WINTER_SPRING,
        starts_on=dt.date(2021, 11, 1),
        ends_on=dt.date(2022, 4, 30),
        description="自查隐患、自除隐患、自负责任；网格化管理；重点单位全覆盖检查。",
        is_demo=True,
    )
    plans = _township_plans(
        campaign, townships, premises, title="冬春火灾防控检查计划", due_on=dt.date(2021, 12, 31)
    )
    for t_index, targets, plan in plans:
        # Most townships inspected most of their premises; a few fell behind.
        done = len(targets) - 2 - (t_index % 4)
        for p_index, target in enumerate(targets[:done]):
            when = dt.date(2021, 11, 8) + dt.timedelta(days=(t_index * 3 + p_index * 4) % 40)
            codes = [c for c, _, _ in CHECKLIST]
            fail = rng.sample(codes, k=(p_index + t_index) % 3)
            inspection = _inspect(target, when, checklist, rng, plan=plan, fail_codes=fail)
            for h_index, hazard in enumerate(inspection.hazards.order_by("id")):
                stage = STAGES_2021[(t_index + p_index + h_index) % len(STAGES_2021)]
                if stage == "verified":
                    _advance(hazard, "verified", min(hazard.deadline, when + dt.timedelta(days=5)))
                    continue
                if stage == "rejected":
                    _advance(hazard, "rejected", when + dt.timedelta(days=5))
                # Fixed only after its deadline: verified late, a fact the trace-back shows.
                _advance(hazard, "verified", hazard.deadline + dt.timedelta(days=10 + h_index * 7))
    return campaign


def _incidents(townships, premises, brigades, campaign, rng) -> list[FireIncident]:
    """Fires of the season. The first broke out where a hazard had been left overdue: the trace-back
    shows the inspection, the unfixed hazard, and the accountability that followed."""
    township = townships["花园乡"]
    target = premises[township.id][3]  # the 农资仓库
    checklist = inspection_selectors.checklist_items_active()
    before = _inspect(
        target, dt.date(2021, 11, 12), checklist, rng, fail_codes=["JC03", "JC04"], deadline_days=10
    )
    hazard = before.hazards.order_by("id").first()
    brigade = brigades.get(township.id) or next(iter(brigades.values()))
    incidents = [
        brigade_services.fire_incident_record(
            township=township,
            premises=target,
            occurred_at=dt.datetime(2022, 1, 9, 21, 40, tzinfo=SHANGHAI),
            reported_at=dt.datetime(2022, 1, 9, 23, 5, tzinfo=SHANGHAI),
            address=target.address,
            cause=FireIncident.Cause.ELECTRICAL,
            injuries=1,
            serious_injuries=1,
            direct_loss=Decimal("186000"),
            burned_area_m2=Decimal("320"),
            responding_brigade=brigade,
            arrival_minutes=14,
            description="仓库内私拉电线短路引燃化肥包装物，专职消防队到场扑救。",
            is_demo=True,
        )
    ]
    inspection_services.accountability_record(
        township=township,
        person=target.responsible_person,
        unit=target.name,
        finding="检查发现的电气线路隐患逾期未整改，导致火灾发生。",
        sanction="罚款人民币五万元，责令停业整顿",
        decided_by="民权县应急管理局",
        decided_on=dt.date(2022, 2, 15),
        incident=incidents[0],
        premises=target,
        hazard=hazard,
    )
    inspection_services.accountability_record(
        township=township,
        person=township.fire_deputy,
        unit=f"{township.name}人民政府",
        finding="对辖区重大火灾隐患督促整改不力。",
        sanction="诫勉谈话",
        decided_by="中共民权县纪律检查委员会",
        decided_on=dt.date(2022, 2, 20),
        incident=incidents[0],
    )
    # Ordered to stop business after the fire, the warehouse fixed both hazards, long after the deadline.
    for late in before.hazards.order_by("id"):
        _advance(late, "verified", dt.date(2022, 1, 25))
    causes = [
        FireIncident.Cause.HEATING,
        FireIncident.Cause.STRAW_BURNING,
        FireIncident.Cause.CARELESS,
        FireIncident.Cause.SMOKING,
    ]
    for index, name in enumerate(["北关镇", "褚庙乡", "人和镇", "龙塘镇"]):
        t = townships[name]
        occurred_at = dt.datetime(2021, 12, 3 + index * 9, 14, 5, tzinfo=SHANGHAI)
        # 褚庙乡 reported its fire two days later (迟报: an ordinary fire is due within 24 hours).
        delay = dt.timedelta(days=1, hours=19, minutes=25) if name == "褚庙乡" else dt.timedelta(hours=2)
        incidents.append(
            brigade_services.fire_incident_record(
                township=t,
                occurred_at=occurred_at,
                reported_at=occurred_at + delay,
                address=f"{name}{person(index, 3)}家",
                cause=causes[index],
                direct_loss=Decimal(3000 + index * 2500),
                responding_brigade=brigades.get(t.id),
                arrival_minutes=9 + index * 3 if brigades.get(t.id) else None,
                is_demo=True,
            )
        )
    return incidents


# County departments (县直部门) the demo's meetings give tasks to, each with a demo account (_users).
CENTER = "县消防安全检查指导服务中心"
DEPARTMENTS = [CENTER, "县财政局", "县公安局"]
DEPARTMENT_LOGINS = {CENTER: "dept_center", "县财政局": "dept_finance", "县公安局": "dept_police"}
# The 2021 meeting's directive 8 (the center to give the townships technical guidance) is the
# center's own duty: it goes to the center, not to the townships.
CENTER_DIRECTIVE = 8


def _departments(county) -> int:
    """The county departments, those missing created through the service."""
    existing = set(county.departments.values_list("name", flat=True))
    missing = [name for name in DEPARTMENTS if name not in existing]
    for name in missing:
        township_services.department_create(county=county, name=name, is_demo=True, by=None)
    return len(missing)


def _assignments(county, townships, rng) -> None:
    """The 2021 meeting's tasks, every one closed by now: most on time, some late (超期办结)."""
    meeting = Meeting.objects.get(county=county, title__contains="推进会", held_at__year=2021)
    all_townships = list(townships.values())
    center = county.departments.get(name=CENTER)
    for directive in meeting.directives.order_by("number"):
        deadline = dt.date(2021, 12, 31) if directive.priority == "high" else dt.date(2022, 3, 31)
        if directive.number == CENTER_DIRECTIVE:
            holders = {"departments": [center], "responsible_person": "中心主任"}
        else:
            holders = {"townships": all_townships}
        assignments = meeting_services.directive_assign(
            directive=directive, deadline=deadline, by=None, **holders
        )
        for index, assignment in enumerate(assignments):
            stage = (index + directive.number) % 5
            if stage < 2:
                meeting_services.assignment_report_progress(
                    assignment=assignment,
                    reported_on=dt.date(2021, 12, 1),
                    text="已召开专题会议部署，正在推进。",
                    percent=40,
                    by=None,
                )
            # Stages 0 and 1 finished after the deadline (by 45 and 20 days); the rest on time.
            done_on = (
                deadline + dt.timedelta(days=(45, 20)[stage])
                if stage < 2
                else min(deadline, dt.date(2021, 12, 28))
            )
            meeting_services.assignment_report_progress(
                assignment=assignment, reported_on=done_on, text="各项措施已落实到位。", percent=100, by=None
            )
            meeting_services.assignment_close(assignment=assignment, closed_on=done_on, by=None)


# --- the season of the day the demo is loaded on ---------------------------------------------------

# Nothing the demo leaves open is later than this many days: what an earlier season left over was
# closed, late, at its summing-up (总结), so no figure or reminder claims more than a season's lateness.
STALE_DAYS = 120

# The season's 推进会: (category, priority, text, deadline in days after the meeting, None: the end of
# the next year).
SEASON_DIRECTIVES = [
    (
        Directive.Category.RESPONSIBILITY,
        Directive.Priority.HIGH,
        "压实乡镇（街道办）主要领导消防安全第一责任人责任，逐级签订年度消防安全目标责任书。",
        30,
    ),
    (
        Directive.Category.HAZARDS,
        Directive.Priority.HIGH,
        "重点单位冬春季节全覆盖检查，发现隐患限期整改，重大火灾隐患挂牌督办。",
        44,
    ),
    (
        Directive.Category.GRID,
        Directive.Priority.NORMAL,
        "网格员每月至少巡查一遍辖区场所，巡查发现的隐患纳入闭环管理。",
        74,
    ),
    (
        Directive.Category.BRIGADE,
        Directive.Priority.HIGH,
        "尚未验收的乡镇专职消防队按标准配齐执勤人员，于次年年底前完成建设和验收。",
        None,  # the end of the next year: still running after the season, so summer has open tasks
    ),
    (
        Directive.Category.EQUIPMENT,
        Directive.Priority.NORMAL,
        "消防车、手抬机动泵做好冬季防冻保养，装备保养记录完整。",
        60,
    ),
    (
        Directive.Category.FUNDING,
        Directive.Priority.NORMAL,
        "专职队伍人员和办公经费按半年拨付到位，不得挤占挪用。",
        134,
    ),
    (
        Directive.Category.GUIDANCE,
        Directive.Priority.NORMAL,
        "指导中心对各乡镇开展冬春火灾防控督导检查，每月通报一次。",
        120,
    ),
]


def season_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """The winter-spring season (11-01 to 04-30) running on `today`, or else the last one that ended.

    From May to October the county's current campaign is the season just over, as
    inspections.selectors.campaign_pick_current decides (the latest that has started): the office
    sums it up and is assessed on it until the next one starts on 11-01; none is created in advance.
    """
    year = today.year if today.month >= 11 else today.year - 1
    return dt.date(year, 11, 1), dt.date(year + 1, 4, 30)


def season_name(starts_on: dt.date) -> str:
    return f"{starts_on.year}—{starts_on.year + 1}年度冬春火灾防控"


def season_meeting_title(starts_on: dt.date) -> str:
    return f"{season_name(starts_on)}工作推进会"


def _season(county, townships, today: dt.date) -> dict[str, int]:
    """The season of `today` (season_of), made once, keyed on its 推进会: its campaign with
    inspections and hazards in every state, its 推进会 with assignments in every state, its fires, this
    year's funding and the equipment's upkeep; then whatever is older than STALE_DAYS is closed late.
    Dated up to `today`. A demo database made before the season had its 推进会 keeps the campaign,
    inspections and fires it has, and gains the rest."""
    starts_on, ends_on = season_of(today)
    title = season_meeting_title(starts_on)
    if starts_on.year <= 2021 or Meeting.objects.filter(county=county, title=title).exists():
        return {}
    rng = random.Random(starts_on.year)  # noqa: S311 - demo data, not security
    as_of = min(today, ends_on)
    _sensitive_periods(county, starts_on)
    checklist = _checklist()
    _season_funding(townships, years=sorted({starts_on.year, today.year}), today=today)
    _equipment_upkeep(county, today, rng)
    _scan_codes(county, today)
    fires = 0
    if not Campaign.objects.filter(county=county, name=season_name(starts_on)).exists():
        campaign = inspection_services.campaign_create(
            county=county,
            name=season_name(starts_on),
            kind=Campaign.Kind.WINTER_SPRING,
            starts_on=starts_on,
            ends_on=ends_on,
            description="持续推进冬春火灾防控，重点单位全覆盖检查。",
            is_demo=True,
        )
        premises = {
            t.id: list(Premises.objects.filter(township=t).order_by("id")) for t in townships.values()
        }
        _season_inspections(campaign, townships, premises, checklist, rng, as_of=as_of)
        fires = _season_fires(townships, starts_on, as_of=as_of)
    meeting = _season_meeting(county, townships, starts_on, title=title, as_of=as_of)
    _season_assignments(meeting, townships, as_of=as_of)
    routine = _routine_inspections(county, checklist, today)
    _close_stale(county, today)
    return {"season": 1, "season_fires": fires, "routine_inspections": routine}


# 春节 (the first day of the lunar year), for the season's sensitive periods.
SPRING_FESTIVAL = {
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}


def _sensitive_periods(county, starts_on: dt.date) -> None:
    """The season's 元旦, 春节 (a week before to 元宵) and 全国两会: high-risk premises every 7 days."""
    year = starts_on.year + 1
    periods = [("元旦", dt.date(starts_on.year, 12, 28), dt.date(year, 1, 3))]
    if year in SPRING_FESTIVAL:
        festival = SPRING_FESTIVAL[year]
        periods.append(("春节", festival - dt.timedelta(days=7), festival + dt.timedelta(days=14)))
    periods.append(("全国两会", dt.date(year, 3, 1), dt.date(year, 3, 15)))
    for name, begins, ends in periods:
        if not SensitivePeriod.objects.filter(county=county, name=name, starts_on=begins).exists():
            township_services.sensitive_period_create(
                county=county, name=name, starts_on=begins, ends_on=ends, high_risk_days=7
            )


def _season_funding(townships, *, years: list[int], today: dt.date) -> None:
    """Each year's budget, paid in two halves (03-20 and 09-20) as far as today; some townships get
    less than budgeted, which the quarter-end reminder then reports."""
    for year in years:
        for index, township in enumerate(townships.values()):
            for category, amount in FUNDING_PLAN.items():
                if FundingAllocation.objects.filter(township=township, year=year, category=category).exists():
                    continue
                allocation = brigade_services.funding_allocate(
                    township=township, year=year, category=category, amount=Decimal(amount), source="县财政"
                )
                ratio = [1.0, 0.9, 0.75, 0.6, 0.5][(index + len(category)) % 5]
                part = (Decimal(amount) * Decimal(str(ratio)) / 2).quantize(Decimal("0.01"))
                for half, month in enumerate((3, 9)):
                    paid_on = dt.date(year, month, 20)
                    if paid_on > today:
                        break
                    brigade_services.disbursement_record(
                        allocation=allocation,
                        amount=part,
                        disbursed_on=paid_on,
                        voucher_no=f"MQ{year}-{index:02d}{half}{len(category)}",
                        by=None,
                    )


def _equipment_upkeep(county, today: dt.date, rng) -> None:
    """Maintenance in a realistic spread: most items serviced within their interval, some falling due
    this week, a few up to three weeks late."""
    items = (
        EquipmentItem.objects.filter(brigade__township__county=county)
        .exclude(condition=EquipmentItem.Condition.SCRAPPED)
        .select_related("equipment_type")
        .order_by("id")
    )
    for item in items:
        back = rng.randint(0, item.equipment_type.maintenance_interval_days + 21)
        maintained_on = today - dt.timedelta(days=back)
        if item.last_maintained_on and maintained_on < item.last_maintained_on:
            maintained_on = item.last_maintained_on
        brigade_services.equipment_item_record_maintenance(item=item, maintained_on=maintained_on, by=None)


def _scan_codes(county, today: dt.date) -> None:
    """一店一码 in 北关镇: every premises and every item of its brigades in service carries a code, and
    the items in good condition had a maintenance check recorded by scanning this week."""
    beiguan = Township.objects.filter(county=county, name="北关镇").first()
    if beiguan is None:
        return
    premises = Premises.objects.filter(township=beiguan).order_by("id")
    township_services.premises_codes_issue(premises=premises, by=None)
    items = list(
        EquipmentItem.objects.filter(brigade__township=beiguan)
        .exclude(condition=EquipmentItem.Condition.SCRAPPED)
        .order_by("id")
    )
    brigade_services.equipment_codes_issue(items=items, by=None)
    for index, item in enumerate(items):
        if item.condition == EquipmentItem.Condition.GOOD and not item.checks.exists():
            brigade_services.equipment_check_record(
                item=item,
                result=EquipmentCheck.Result.GOOD,
                checked_on=today - dt.timedelta(days=index % 5),
                note="扫码检查：外观完好，功能正常",
                by=None,
            )


def _season_inspections(campaign, townships, premises, checklist, rng, *, as_of: dt.date) -> None:
    """Each township's plan for the season, inspected as far as the season has gone, the hazards
    found in every state of the loop."""
    starts_on = campaign.starts_on
    span = (as_of - starts_on).days
    progress = min(1.0, (span + 20) / 75)  # the plan is due 75 days in
    plans = _township_plans(
        campaign,
        townships,
        premises,
        title=f"{starts_on.year}年冬春检查计划",
        due_on=starts_on + dt.timedelta(days=75),
    )
    codes = [c for c, _, _ in CHECKLIST]
    for t_index, targets, plan in plans:
        done = max(2, round(len(targets) * progress)) - (t_index % 3 == 0)
        for p_index, target in enumerate(targets[:done]):
            when = starts_on + dt.timedelta(days=(t_index * 5 + p_index * 11) % (span + 1))
            fail = rng.sample(codes, k=(p_index + t_index) % 3)
            inspection = _inspect(target, when, checklist, rng, plan=plan, fail_codes=fail, deadline_days=20)
            for h_index, hazard in enumerate(inspection.hazards.order_by("id")):
                stage = STAGES[(t_index + p_index + h_index) % len(STAGES)]
                if stage == "late":
                    fixed_on = hazard.deadline + dt.timedelta(days=10)
                    if fixed_on <= local_today():
                        _advance(hazard, "verified", fixed_on)
                    continue
                _advance(hazard, stage, min(when + dt.timedelta(days=5), local_today()))


def _season_meeting(county, townships, starts_on: dt.date, *, title: str, as_of: dt.date) -> Meeting:
    """The season's 推进会, held on 11-17 as in the seed's year (or, early in the season, today)."""
    held_on = min(starts_on + dt.timedelta(days=16), as_of)
    meeting = meeting_services.meeting_create(
        county=county,
        title=title,
        held_at=dt.datetime.combine(held_on, dt.time(9, 0), tzinfo=SHANGHAI),
        chair="王景义",
        chair_title="县委常委、常务副县长",
        main_venue="县政府主会场",
        sub_venues=[f"{n}分会场" for n in townships] + ["指导中心分会场"],
        summary="会议通报上一年度冬春火灾防控和专职消防队建设情况，部署本年度冬春火灾防控工作。",
        by=None,
    )
    Meeting.objects.filter(pk=meeting.pk).update(is_demo=True)
    meeting_services.attendance_record(
        meeting=meeting,
        unit="县政府",
        person="王景义",
        position="县委常委、常务副县长",
        venue=Attendance.Venue.MAIN,
        venue_name="县政府主会场",
        by=None,
    )
    for name, kind, summary in [
        ("城关镇", Statement.Kind.TYPICAL, "介绍网格员巡查发现隐患、限期整改销号的做法。"),
        ("花园乡", Statement.Kind.COMMITMENT, "表态吸取火灾教训，本季度重点单位检查全覆盖。"),
    ]:
        meeting_services.statement_record(
            meeting=meeting, township=townships[name], kind=kind, summary=summary, by=None
        )
    return meeting


def _season_assignments(meeting: Meeting, townships, *, as_of: dt.date) -> None:
    """Each directive assigned to every township, in every state: not reported yet, in progress,
    closed on time, closed late once the deadline is far enough behind."""
    held_on = meeting_services.meeting_date(meeting)
    first_report = min(held_on + dt.timedelta(days=14), as_of)
    for category, priority, text, days in SEASON_DIRECTIVES:
        directive = meeting_services.directive_add(
            meeting=meeting, category=category, priority=priority, text=text, by=None
        )
        deadline = dt.date(held_on.year + 1, 12, 31) if days is None else held_on + dt.timedelta(days=days)
        assignments = meeting_services.directive_assign(
            directive=directive, townships=list(townships.values()), deadline=deadline, by=None
        )
        for index, assignment in enumerate(assignments):
            stage = (index + directive.number) % 5
            if stage == 0:
                continue  # not reported yet: overdue once its deadline has passed
            _report(assignment, first_report, 40)
            late_on = deadline + dt.timedelta(days=15)
            if stage == 2 or (stage == 4 and late_on > as_of):
                _report(assignment, min(held_on + dt.timedelta(days=30), as_of), 80)
            elif stage >= 3:
                done_on = (
                    late_on if stage == 4 else max(first_report, min(deadline - dt.timedelta(days=2), as_of))
                )
                _report(assignment, done_on, 100)
                meeting_services.assignment_close(assignment=assignment, closed_on=done_on, by=None)


REPORTS = {
    40: "已召开专题会议部署，正在推进。",
    80: "主要措施已落实，正在查漏补缺。",
    100: "各项措施已落实到位。",
}


def _report(assignment: Assignment, on: dt.date, percent: int) -> None:
    meeting_services.assignment_report_progress(
        assignment=assignment, reported_on=on, text=REPORTS[percent], percent=percent, by=None
    )


def _season_fires(townships, starts_on: dt.date, *, as_of: dt.date) -> int:
    """A few fires of the season so far (heating, straw burning: its usual causes)."""
    span = (as_of - starts_on).days
    fires = [
        ("南华街道", FireIncident.Cause.HEATING, 2000),
        ("程庄镇", FireIncident.Cause.STRAW_BURNING, 800),
        ("王桥镇", FireIncident.Cause.ELECTRICAL, 12000),
        ("褚庙乡", FireIncident.Cause.HEATING, 3500),
    ]
    count = 0
    for index, (name, cause, loss) in enumerate(fires):
        occurred_at = dt.datetime.combine(
            starts_on + dt.timedelta(days=span * (index + 1) // (len(fires) + 1)),
            dt.time(19, 0),
            tzinfo=SHANGHAI,
        )
        if occurred_at > timezone.now():
            continue
        brigade_services.fire_incident_record(
            township=townships[name],
            occurred_at=occurred_at,
            reported_at=min(occurred_at + dt.timedelta(hours=1, minutes=30), timezone.now()),
            address=f"{name}{person(index, 9)}家",
            cause=cause,
            direct_loss=Decimal(loss),
            is_demo=True,
        )
        count += 1
    return count


def _routine_inspections(county, checklist, today: dt.date) -> int:
    """Premises are inspected all year round (日常检查): any never inspected, or whose inspection is
    more than STALE_DAYS overdue, gets one in the last weeks; some find a hazard, open or being fixed."""
    stale = Premises.objects.filter(
        Q(next_inspection_due__lt=today - dt.timedelta(days=STALE_DAYS))
        | Q(next_inspection_due__isnull=True),
        township__county=county,
    ).order_by("id")
    count = 0
    for premises in stale:
        when = today - dt.timedelta(days=3 + premises.pk % 40)
        if premises.last_inspected_on and when <= premises.last_inspected_on:
            when = premises.last_inspected_on + dt.timedelta(days=1)
        fail = [CHECKLIST[premises.pk % len(CHECKLIST)][0]] if premises.pk % 3 == 0 else []
        when = min(when, today)
        inspection = _inspect(premises, when, checklist, None, fail_codes=fail, deadline_days=15)
        for hazard in inspection.hazards.all():
            stage = ("open", "rectifying", "awaiting")[premises.pk // 4 % 3]
            _advance(hazard, stage, min(when + dt.timedelta(days=3), today))
        count += 1
    return count


def _close_stale(county, today: dt.date) -> None:
    """Close, late, what is more than STALE_DAYS past its deadline: the hazards (rectified and
    verified a month or two after the deadline) and the meeting tasks (finished and closed then)."""
    cutoff = today - dt.timedelta(days=STALE_DAYS)
    hazards = (
        Hazard.objects.filter(township__county=county)
        .filter(hazard_overdue_q(today), deadline__lt=cutoff)
        .annotate(last_check=Max("reinspections__inspected_on"), last_fix=Max("rectifications__rectified_on"))
        .order_by("id")
    )
    for hazard in hazards:
        fixed_on = hazard.deadline + dt.timedelta(days=30 + hazard.pk % 30)
        fixed_on = max(fixed_on, hazard.last_check or fixed_on, hazard.last_fix or fixed_on)
        _advance(hazard, "verified", min(fixed_on, today))
    assignments = (
        Assignment.objects.filter(directive__meeting__county=county)
        .filter(assignment_overdue_q(today), deadline__lt=cutoff)
        .annotate(last_report=Max("progress_reports__reported_on"))
        .order_by("id")
    )
    for assignment in assignments:
        done_on = assignment.deadline + dt.timedelta(days=30 + assignment.pk % 30)
        done_on = min(max(done_on, assignment.last_report or done_on), today)
        _report(assignment, done_on, 100)
        meeting_services.assignment_close(assignment=assignment, closed_on=done_on, by=None)


# Demo logins of the townships: "<login>_leader" is each one's principal leader (主要领导), whom
# overdue hazards escalate to.
LOGINS = {
    "南华街道": "nanhua",
    "绿洲街道": "lvzhou",
    "城关镇": "chengguan",
    "北关镇": "beiguan",
    "人和镇": "renhe",
    "龙塘镇": "longtang",
    "程庄镇": "chengzhuang",
    "王庄寨镇": "wangzhuangzhai",
    "孙六镇": "sunliu",
    "白云寺镇": "baiyunsi",
    "庄子镇": "zhuangzi",
    "王桥镇": "wangqiao",
    "褚庙乡": "chumiao",
    "花园乡": "huayuan",
    "野岗乡": "yegang",
    "老颜集乡": "laoyanji",
    "伯党回族乡": "bodang",
    "胡集回族乡": "huji",
    "林七乡": "linqi",
}


# The people behind the main demo accounts: the pages name who entered a record (core.text.person_name).
DEMO_NAMES = {
    "county": "孙立新",
    "center": "周文华",
    "beiguan": "赵建国",
    "chumiao": "钱卫东",
    "police_beiguan": "李振华",
    "market_beiguan": "王德福",
    "fire_rescue": "吴志强",
}


def _users(townships) -> int:
    """One demo account per role and every township's principal leader, those missing created with
    one random password that load_demo prints once."""
    beiguan, chumiao = townships["北关镇"], townships["褚庙乡"]
    station = PoliceStation.objects.get(county=beiguan.county, name="北关派出所")
    market = Premises.objects.filter(township=beiguan).order_by("id").first()
    specs = (
        [
            ("county", Role.COUNTY_OFFICIAL, {"county": beiguan.county}),
            ("center", Role.GUIDANCE_CENTER, {"county": beiguan.county}),
            ("beiguan", Role.TOWNSHIP_LEAD, {"township": beiguan}),
            ("chumiao", Role.TOWNSHIP_LEAD, {"township": chumiao}),
            ("police_beiguan", Role.POLICE_STATION, {"police_station": station}),
            ("market_beiguan", Role.PREMISES_RESPONSIBLE, {"premises": market}),
            ("fire_rescue", Role.FIRE_RESCUE, {"county": beiguan.county}),
        ]
        + [
            (login, Role.GRID_MEMBER, {"grid_member": _grid_member(townships[township], grid)})
            for login, (township, grid) in GRID_MEMBER_LOGINS.items()
        ]
        + [
            (login, Role.COUNTY_DEPARTMENT, {"department": beiguan.county.departments.get(name=name)})
            for name, login in DEPARTMENT_LOGINS.items()
        ]
        + [
            (
                f"{LOGINS[name]}_leader",
                Role.TOWNSHIP_LEAD,
                {"township": township, "is_principal_leader": True},
            )
            for name, township in townships.items()
        ]
    )
    existing = set(
        get_user_model().objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True)
    )
    missing = [spec for spec in specs if spec[0] not in existing]
    if not missing:
        return 0
    password = secrets.token_urlsafe(10)
    for username, role, links in missing:
        user_create_with_role(
            username=username, role=role, password=password, full_name=DEMO_NAMES.get(username, ""), **links
        )
    DEMO_PASSWORD.append(password)
    return len(missing)


# The grid members (网格员, not the 网格长) with an account: their patrols fill the month's figures.
GRID_MEMBER_LOGINS = {
    "beiguan_grid1": ("北关镇", "第1网格"),
    "beiguan_grid2": ("北关镇", "第2网格"),
    "chumiao_grid1": ("褚庙乡", "第1网格"),
}


def _grid_member(township, grid_name: str) -> GridMember:
    return GridMember.objects.get(grid__township=township, grid__name=grid_name, role=GridMember.Role.MEMBER)


def _patrols(today: dt.date) -> int:
    """The month's patrols of the demo grid members who have none yet this month: the first patrols
    every premises of the grid, the second all but one (finding a hazard), the third one premises, so
    the ranking and the completion figures differ. Recorded on days of this month up to today."""
    start = today.replace(day=1)
    made = 0
    for index, login in enumerate(GRID_MEMBER_LOGINS):
        user = _demo_user(login)
        mine = Inspection.objects.filter(kind=Inspection.Kind.PATROL, recorded_by=user)
        if mine.filter(inspected_on__gte=start).exists():
            continue
        premises = list(Premises.objects.filter(grid=user.profile.grid_member.grid).order_by("id"))
        shown = premises if index == 0 else premises[:-1] if index == 1 else premises[:1]
        checklist = list(inspection_selectors.checklist_items_active()[:4])
        for p_index, place in enumerate(shown):
            day = start + dt.timedelta(days=min(p_index * 3, (today - start).days))
            hazards = []
            if index == 1 and p_index == 0:
                hazards = [
                    {
                        "severity": Hazard.Severity.GENERAL,
                        "description": "电动自行车在楼道内充电",
                        "deadline": day + dt.timedelta(days=7),
                        "responsible_person": place.responsible_person,
                    }
                ]
            inspection_services.patrol_record(
                premises=place,
                patrolled_on=day,
                results=[{"item": item, "result": "pass"} for item in checklist],
                hazards=hazards,
                notes="日常巡查",
                by=user,
            )
            made += 1
    return made


def _demo_user(username: str):
    return get_user_model().objects.get(username=username)


def _open_hazards(county):
    """The county's hazards still in the townships' hands (待整改 / 整改中), oldest first."""
    return Hazard.objects.filter(
        township__county=county, status__in=[Hazard.Status.OPEN, Hazard.Status.RECTIFYING]
    ).order_by("discovered_on", "id")


def _handover(county, today: dt.date) -> int:
    """One hazard 北关镇 could not resolve, handed over (移交) by its lead to the county fire rescue
    authority, which ordered it rectified and closed the hand-over: once (skipped when the county has
    any hand-over, or no open hazard in 北关镇)."""
    if HazardHandover.objects.filter(hazard__township__county=county).exists():
        return 0
    hazard = _open_hazards(county).filter(township__name="北关镇").first()
    if hazard is None:
        return 0
    handed_over_on = min(today, hazard.discovered_on + dt.timedelta(days=3))
    handover = inspection_services.hazard_hand_over(
        hazard=hazard,
        reason="经营者拒不整改，乡镇无执法手段，移交消防救援大队依法处理。",
        evidence=ContentFile(b"%PDF-1.4\n% demo\n", name="移交材料.pdf"),
        handed_over_on=handed_over_on,
        by=_demo_user("beiguan"),
    )
    fire_rescue = _demo_user("fire_rescue")
    inspection_services.handover_record_action(
        handover=handover,
        kind=HandoverAction.Kind.ORDERED,
        taken_on=handed_over_on,
        note="下发责令限期改正通知书。",
        by=fire_rescue,
    )
    inspection_services.handover_close(
        handover=handover,
        outcome="已责令限期改正，移交乡镇跟踪复查。",
        closed_on=handed_over_on,
        by=fire_rescue,
    )
    return 1


def _supervision(county, today: dt.date) -> int:
    """One open major hazard listed for supervision (挂牌督办) by the county, its deadline ahead: once
    (skipped when the county has any listing, or no open major hazard)."""
    if HazardSupervision.objects.filter(hazard__township__county=county).exists():
        return 0
    hazard = _open_hazards(county).filter(severity=Hazard.Severity.MAJOR).last()
    if hazard is None:
        return 0
    inspection_services.hazard_supervise(
        hazard=hazard,
        leader=hazard.township.principal_leader or "王景义",
        leader_phone=hazard.township.principal_leader_phone,
        deadline=today + dt.timedelta(days=15),
        requirement="十五日内整改销号，逾期约谈乡镇主要领导。",
        listed_on=today,
        by=_demo_user("county"),
    )
    return 1


# load_demo prints this once, on the run that created the accounts.
DEMO_PASSWORD: list[str] = []


def _archive(county, today: dt.date) -> int:
    """The built brigades' archive (一队一档), once: the founding approval of the first few; for each of
    the last three months a drill (not last month for every fourth brigade, so the reminder has
    something to say), two trainings and a publicity activity; a call-out or two, the season's fires
    answered by the brigade of their township; today's and tomorrow's duty; and a few contracts and
    certificates running out within the month."""
    brigades = list(
        Brigade.objects.filter(township__county=county, status__in=["established", "accepted"]).order_by(
            "name"
        )
    )
    if not brigades or TrainingRecord.objects.filter(brigade__in=brigades).exists():
        return 0
    count = 0
    this_month = today.replace(day=1)
    months = [this_month]
    for _ in range(2):
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    fires = {
        f.township_id: f
        for f in FireIncident.objects.filter(
            township__county=county, occurred_at__date__gte=months[0]
        ).order_by("occurred_at")
    }
    now = timezone.now()
    for index, brigade in enumerate(brigades):
        members = list(brigade.members.filter(left_on__isnull=True).order_by("role", "name", "id"))
        if len(members) < 2:
            continue
        if index < 3:
            brigade_services.brigade_document_add(
                brigade=brigade,
                kind="founding",
                title=f"关于成立{brigade.name}的批复",
                issued_on=dt.date(2021, 3, 15),
                file=ContentFile(b"%PDF-1.4\n% demo\n", name="建队批复.pdf"),
            )
            count += 1
        for month in months:
            last = min(today, (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
            days = (last - month).days
            if not (month == months[1] and index % 4 == 3):
                brigade_services.training_record(
                    brigade=brigade,
                    kind="drill",
                    held_on=month + dt.timedelta(days=min(days, 14)),
                    hours=Decimal(3),
                    topic="灭火救援综合演练",
                    place=brigade.station_address,
                    participants=members,
                )
                count += 1
            for k, topic in enumerate(("体能训练", "水带铺设和器材操作训练")):
                brigade_services.training_record(
                    brigade=brigade,
                    kind="training",
                    held_on=month + dt.timedelta(days=min(days, 4 + 10 * k)),
                    hours=Decimal(2),
                    topic=topic,
                    participants=members[: 2 + k],
                )
                count += 1
            brigade_services.publicity_record(
                brigade=brigade,
                held_on=month + dt.timedelta(days=min(days, 9)),
                kind=["door_to_door", "lecture", "leaflets"][(index + month.month) % 3],
                place=f"{brigade.township.name}集市" if index % 2 else f"{brigade.township.name}中心小学",
                audience=40 + 15 * ((index + month.month) % 7),
            )
            count += 1
        fire = fires.get(brigade.township_id)
        if fire is not None:
            brigade_services.call_out_record(
                brigade=brigade,
                kind="fire",
                called_at=fire.occurred_at + dt.timedelta(minutes=3),
                arrived_at=fire.occurred_at + dt.timedelta(minutes=3 + 10 + index % 9),
                address=fire.address,
                outcome="明火扑灭，无人员伤亡",
                incident=fire,
            )
            count += 1
        called_at = now - dt.timedelta(days=3 + index % 20, hours=5)
        brigade_services.call_out_record(
            brigade=brigade,
            kind=["rescue", "assistance", "other"][index % 3],
            called_at=called_at,
            arrived_at=called_at + dt.timedelta(minutes=8 + index % 12),
            address=f"{brigade.township.name}{person(index, 5)}家",
            outcome=["救出被困群众一名", "协助排除燃气泄漏隐患", "清理道路障碍物"][index % 3],
        )
        count += 1
        for offset in (0, 1):
            brigade_services.duty_roster_add(
                brigade=brigade,
                duty_on=today + dt.timedelta(days=offset),
                leader=members[offset % 2],
                members=members[2:5],
            )
            count += 1
        if index % 5 == 0:
            brigade_services.brigade_member_update(
                member=members[-1], data={"contract_until": today + dt.timedelta(days=12 + index % 10)}
            )
        if index % 5 == 1 and members[0].certification:
            brigade_services.brigade_member_update(
                member=members[0],
                data={
                    "certified_on": dt.date(2021, 5, 1),
                    "certificate_until": today + dt.timedelta(days=20),
                },
            )
    return count
