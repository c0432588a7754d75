"""The demo's message channels and its assessment of the current season.

Channels point at nothing real (`.invalid` addresses, RFC 2606) and are switched off, so the demo
sends nothing outside; the guidance center sees how they are set up. The assessment is the current
season's, being scored: automatic items from the live figures, manual items self-scored by most
townships and scored by the center for some, with a few differences, so the dashboard ranks by it.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from assessments import services as assessment_services
from assessments.models import AssessmentItem, AssessmentScheme, ItemScore
from core.clock import local_today
from inspections.selectors import campaign_current
from notifications.models import Channel, ChannelEndpoint
from townships.models import County, Township

CHANNELS = [
    (
        Channel.WECOM,
        "县消防工作群（企业微信）",
        None,
        "https://robot.example.invalid/wecom/send?key=demo-not-real",
    ),
    (
        Channel.DINGTALK,
        "北关镇消防工作群（钉钉）",
        "北关镇",
        "https://robot.example.invalid/dingtalk/send?access_token=demo",
    ),
    (Channel.SMS, "短信平台", None, "https://sms.example.invalid/"),
]

ITEMS = [
    # (title, points, kind, metric, deduct per unit, evidence required, standard)
    (
        "专职消防队建设",
        15,
        "auto",
        "brigade_built",
        0,
        False,
        "已验收满分；已建成 75%；建设中 50%；规划中 25%；未建 0。",
    ),
    ("专职队员配齐", 10, "auto", "brigade_staffed", 0, False, "按在岗人数占建设标准应配人数的比例计分。"),
    ("装备配齐", 10, "auto", "equipment_gap", 1, False, "对照装备配备标准，每缺一件扣 1 分。"),
    ("经费保障", 10, "auto", "funding_ratio", 0, False, "按本年度人员和办公经费到位率计分。"),
    ("检查计划完成", 15, "auto", "plan_progress", 0, False, "按冬春检查计划完成率计分。"),
    ("隐患按期整改", 15, "auto", "hazards_overdue", 2, False, "每处逾期未整改隐患扣 2 分。"),
    ("重大火灾隐患整改", 10, "auto", "hazards_major_open", 5, False, "每处未整改的重大火灾隐患扣 5 分。"),
    ("会议任务落实", 5, "auto", "assignment_rate", 0, False, "按推进会任务办结率计分。"),
    ("消防宣传培训", 5, "manual", "", 0, True, "开展消防宣传、培训和演练，须上传活动照片或通知。"),
    ("网格化管理", 5, "manual", "", 0, False, "网格划分到位、网格员履职。"),
]


def load_channels(county: County, townships: dict[str, Township]) -> int:
    created = 0
    for kind, name, township_name, url in CHANNELS:
        _endpoint, c = ChannelEndpoint.objects.get_or_create(
            kind=kind,
            township=townships[township_name] if township_name else None,
            defaults={
                "name": name,
                "url": url,
                "enabled": False,
                "secret": "SECdemo-not-real" if kind == Channel.DINGTALK else "",
                "access_key_id": "demo" if kind == Channel.SMS else "",
                "sign_name": "民权消防" if kind == Channel.SMS else "",
                "template_code": "SMS_DEMO" if kind == Channel.SMS else "",
            },
        )
        created += int(c)
    return created


def load_assessment(county: County, townships: dict[str, Township]) -> int:
    """The current season's scheme, once; the scores given once (a rerun adds nothing)."""
    campaign = campaign_current(on=local_today(), county_id=county.pk)
    if (
        campaign is None
        or AssessmentScheme.objects.filter(county=county, year=campaign.starts_on.year).exists()
    ):
        return 0
    scheme = AssessmentScheme.objects.create(
        county=county, year=campaign.starts_on.year, title=f"{campaign.name}考核", campaign=campaign
    )
    items = [
        AssessmentItem.objects.create(
            scheme=scheme,
            order=order,
            title=title,
            points=points,
            kind=kind,
            metric=metric,
            deduct_per_unit=deduct,
            evidence_required=evidence,
            standard=standard,
        )
        for order, (title, points, kind, metric, deduct, evidence, standard) in enumerate(ITEMS, start=1)
    ]
    users = get_user_model().objects
    center = users.filter(username="center").first()
    manual = [item for item in items if item.kind == AssessmentItem.Kind.MANUAL]
    for index, township in enumerate(townships.values()):
        if ItemScore.objects.filter(item__scheme=scheme, township=township).exists():
            continue
        for item in manual:
            own = item.points - Decimal(index % 3)  # most townships score themselves high
            if index % 4 != 3:  # a few have not filled in their self-assessment yet
                evidence = (
                    ContentFile(b"%PDF-1.4\n% demo\n", name="活动照片.pdf")
                    if item.evidence_required
                    else None
                )
                assessment_services.self_score(
                    item=item,
                    township=township,
                    points=own,
                    note="已按要求开展。",
                    evidence=evidence,
                    by=None,
                )
            if center is not None and index % 2 == 0:  # the center has scored half of them so far
                given = own - Decimal(index % 5 == 0)  # and differs from a few
                assessment_services.center_score(
                    item=item,
                    township=township,
                    points=max(Decimal(0), given),
                    note="核查佐证后评定。",
                    by=center,
                )
    return 1
