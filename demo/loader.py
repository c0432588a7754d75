"""The demo county: Minquan county (民权县) and its 2021-11-17 推进会, from the seed report, and the
season of the day it is loaded on (demo.county).

Everything here is marked is_demo and keyed on natural keys, so loading twice adds nothing; loading
in a later season adds that season.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from core.clock import local_today
from demo import county as county_demo
from demo import extras, places
from meetings import services as meeting_services
from meetings.models import Attendance, Directive, Meeting, Statement
from townships.models import County, PoliceStation, Township

SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTY_NAME = "民权县"

# (name, kind). The seed names 褚庙乡、北关镇、花园乡; the rest make up a county of realistic shape.
TOWNSHIPS = [
    ("南华街道", Township.Kind.SUBDISTRICT),
    ("绿洲街道", Township.Kind.SUBDISTRICT),
    ("城关镇", Township.Kind.TOWN),
    ("北关镇", Township.Kind.TOWN),
    ("人和镇", Township.Kind.TOWN),
    ("龙塘镇", Township.Kind.TOWN),
    ("程庄镇", Township.Kind.TOWN),
    ("王庄寨镇", Township.Kind.TOWN),
    ("孙六镇", Township.Kind.TOWN),
    ("白云寺镇", Township.Kind.TOWN),
    ("庄子镇", Township.Kind.TOWN),
    ("王桥镇", Township.Kind.TOWN),
    ("褚庙乡", Township.Kind.TOWNSHIP),
    ("花园乡", Township.Kind.TOWNSHIP),
    ("野岗乡", Township.Kind.TOWNSHIP),
    ("老颜集乡", Township.Kind.TOWNSHIP),
    ("伯党回族乡", Township.Kind.TOWNSHIP),
    ("胡集回族乡", Township.Kind.TOWNSHIP),
    ("林七乡", Township.Kind.TOWNSHIP),
]

# Directives of 王景义's speech, in the order he gave them.
DIRECTIVES = [
    (
        Directive.Category.RESPONSIBILITY,
        Directive.Priority.HIGH,
        "提高站位，突出重点，严格消防安全责任制落实；各乡镇（街道办）主要领导要强化领导责任，必须亲自抓、负总责。",
    ),
    (
        Directive.Category.HAZARDS,
        Directive.Priority.HIGH,
        "各单位强化消防安全责任主体意识，做到“消防安全自查，火灾隐患自除，法律责任自负”。",
    ),
    (
        Directive.Category.TRACE_BACK,
        Directive.Priority.HIGH,
        "强化责任倒查：在查清事实的基础上，对相关责任人从严从重追究责任，决不姑息迁就。",
    ),
    (
        Directive.Category.GRID,
        Directive.Priority.NORMAL,
        "深入开展消防安全网格化管理工作，不断夯实基层单位、社区火灾防控基础。",
    ),
    (
        Directive.Category.BRIGADE,
        Directive.Priority.HIGH,
        "加快完成乡镇专职消防队伍建设工作，强化乡镇消防能力。",
    ),
    (Directive.Category.EQUIPMENT, Directive.Priority.NORMAL, "落实消防装备配备。"),
    (Directive.Category.FUNDING, Directive.Priority.NORMAL, "保障专职队伍人员和办公经费。"),
    (
        Directive.Category.GUIDANCE,
        Directive.Priority.NORMAL,
        "消防安全检查指导服务中心充分发挥作用，为乡镇消防安全工作提供技术指导和服务。",
    ),
]

# The townships that spoke: (township, kind of statement, summary).
STATEMENTS = [
    ("褚庙乡", Statement.Kind.TYPICAL, "介绍乡镇专职消防队建设和冬春火灾防控的经验做法。"),
    ("北关镇", Statement.Kind.COMMITMENT, "表态按期完成专职消防队建设，落实装备和经费保障。"),
]
# Who attended for the county; each township's three attended at its own sub-venue.
COUNTY_ATTENDANCE = [
    {
        "unit": "县政府",
        "person": "王景义",
        "position": "县委常委、常务副县长",
        "venue": Attendance.Venue.MAIN,
        "venue_name": "县政府主会场",
    },
    {
        "unit": "县消防安全检查指导服务中心",
        "person": "工作人员",
        "venue": Attendance.Venue.SUB,
        "venue_name": "指导中心分会场",
    },
]
TOWNSHIP_ATTENDEES = ("有关负责人", "分管消防副职", "专职消防队长")

MEETING_TITLE = "全县专职消防队伍建设暨冬春火灾防控工作推进会"


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Create the demo county if it is not there, and the season of today (the county's clock) if it
    is not there. Returns how many rows each step created (all 0 on a rerun the same season: every
    step is keyed on a natural key or skipped when its anchor exists)."""
    created: dict[str, int] = {}
    county, c = County.objects.get_or_create(name=COUNTY_NAME, defaults={"code": "411421", "is_demo": True})
    created["county"] = int(c)
    created["townships"] = 0
    townships = {}
    for index, (name, kind) in enumerate(TOWNSHIPS):
        leader, deputy = county_demo.leaders(index)
        township, c = Township.objects.get_or_create(
            county=county,
            name=name,
            defaults={
                "kind": kind,
                "is_demo": True,
                "principal_leader": leader,
                "principal_leader_phone": county_demo.phone(index, 1),
                "fire_deputy": deputy,
                "fire_deputy_phone": county_demo.phone(index, 2),
            },
        )
        townships[name] = township
        created["townships"] += int(c)

    created["police_stations"] = 0
    for name, township in townships.items():
        # One station per town or subdistrict; townships (乡) share their neighbour's.
        if township.kind == Township.Kind.TOWNSHIP:
            continue
        station, c = PoliceStation.objects.get_or_create(
            county=county,
            name=f"{name.removesuffix('街道').removesuffix('镇')}派出所",
            defaults={"is_demo": True},
        )
        station.townships.add(township)
        created["police_stations"] += int(c)
    county_demo.attach_rural_townships(county, townships)

    created["meeting"] = _load_meeting(county, townships)
    created.update(county_demo.load(county, townships, local_today()))
    created["channels"] = extras.load_channels(county, townships)
    created["assessment"] = extras.load_assessment(county, townships)
    created["places"] = places.load(county, townships)
    return created


SUB_VENUES = [f"{n}分会场" for n, _ in TOWNSHIPS] + ["指导中心分会场"]


def _load_meeting(county: County, townships: dict[str, Township]) -> int:
    held_at = dt.datetime(2021, 11, 17, 15, 0, tzinfo=SHANGHAI)
    if Meeting.objects.filter(county=county, title=MEETING_TITLE, held_at=held_at).exists():
        return 0
    meeting = meeting_services.meeting_create(
        county=county,
        title=MEETING_TITLE,
        held_at=held_at,
        chair="王景义",
        chair_title="县委常委、常务副县长",
        main_venue="县政府主会场",
        sub_venues=SUB_VENUES,
        summary=(
            "会议传达了省市两级领导要求及全市乡镇消防队伍建设工作会议精神，"
            "通报民权县火灾和消防专职队建设情况。"
        ),
        source="民权网 2021-11-17《全县专职消防队伍建设暨冬春火灾防控工作推进会召开》",
        by=None,
    )
    Meeting.objects.filter(pk=meeting.pk).update(is_demo=True)
    for category, priority, text in DIRECTIVES:
        meeting_services.directive_add(
            meeting=meeting, category=category, priority=priority, text=text, by=None
        )
    for township, kind, summary in STATEMENTS:
        meeting_services.statement_record(
            meeting=meeting, township=townships[township], kind=kind, summary=summary, by=None
        )
    township_attendance = [
        {
            "township": township,
            "unit": name,
            "person": position,
            "position": position,
            "venue": Attendance.Venue.SUB,
            "venue_name": f"{name}分会场",
        }
        for name, township in townships.items()
        for position in TOWNSHIP_ATTENDEES
    ]
    for attendance in [*COUNTY_ATTENDANCE, *township_attendance]:
        meeting_services.attendance_record(meeting=meeting, **attendance, by=None)
    return 1
