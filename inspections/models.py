from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import entered_by_field, phone_field
from core.geo import latitude_field, location_constraints, longitude_field
from core.models import AuditedModel, TimeStampedModel, audited_history
from core.uploads import RandomName, validate_document, validate_photo
from firebrigade.models import FireIncident
from meetings.models import Assignment
from townships.models import County, PoliceStation, Premises, Township


class Campaign(AuditedModel):
    class Kind(models.TextChoices):
        WINTER_SPRING = "winter_spring", _("冬春火灾防控")
        SPECIAL = "special", _("专项整治")

    county = models.ForeignKey(County, models.PROTECT, related_name="campaigns", verbose_name=_("县"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("工作要求"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("防控行动")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"
            ),
            models.UniqueConstraint(fields=["county", "name"], name="campaign_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class InspectionPlan(TimeStampedModel):
    """Which premises a township (or a police station) must inspect in a campaign, and by when."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="plans", verbose_name=_("防控行动"))
    township = models.ForeignKey(
        Township, models.PROTECT, related_name="inspection_plans", verbose_name=_("乡镇")
    )
    police_station = models.ForeignKey(
        PoliceStation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_plans",
        verbose_name=_("派出所"),
        help_text=_("由派出所执行的计划填写；乡镇自行检查的计划留空。"),
    )
    title = models.CharField(_("计划名称"), max_length=120)
    due_on = models.DateField(_("完成期限"))
    premises = models.ManyToManyField(Premises, related_name="inspection_plans", verbose_name=_("检查对象"))
    # Kept by the services in the same transaction as each write (inspections.tallies); not history.
    planned_count = models.PositiveIntegerField(_("计划检查单位数"), default=0, editable=False)
    inspected_count = models.PositiveIntegerField(
        _("已检查单位数"),
        default=0,
        editable=False,
        help_text=_("按本计划检查过的单位数（同一单位多次检查计一次）。"),
    )
    history = audited_history(m2m_fields=[premises], excluded_fields=["planned_count", "inspected_count"])

    class Meta:
        verbose_name = verbose_name_plural = _("检查计划")
        ordering = ["campaign", "township", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "township", "title"], name="plan_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


def validate_premises_categories(value) -> None:
    """A list of distinct premises categories (townships.models.Premises.Category)."""
    known = set(Premises.Category.values)
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("适用单位类别须为类别代码的列表。"))
    unknown = [code for code in value if code not in known]
    if unknown:
        raise ValidationError(_("未知的单位类别：%(codes)s") % {"codes": "、".join(unknown)})
    if len(set(value)) != len(value):
        raise ValidationError(_("适用单位类别重复。"))


class ChecklistItem(AuditedModel):
    code = models.CharField(_("编号"), max_length=20, unique=True)
    text = models.CharField(_("检查内容"), max_length=200)
    category = models.CharField(_("分类"), max_length=40, blank=True)
    # Which premises categories the item is asked of; empty: every category (the common items).
    # One rule reads it: inspections.selectors.checklist_items_for.
    premises_categories = models.JSONField(
        _("适用单位类别"),
        default=list,
        blank=True,
        validators=[validate_premises_categories],
        help_text=_("不选即适用于所有类别的单位。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("检查项")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Inspection(AuditedModel):
    class Kind(models.TextChoices):
        TOWNSHIP = "township", _("乡镇检查")
        POLICE = "police", _("派出所检查")
        GUIDANCE_CENTER = "guidance_center", _("指导中心检查")
        SELF = "self", _("单位自查")
        # 巡查: a grid member's round of the premises in their grid (recorded_by is the member).
        PATROL = "patrol", _("网格巡查")

    premises = models.ForeignKey(
        Premises, models.PROTECT, related_name="inspections", verbose_name=_("检查对象")
    )
    # Denormalised from premises so that scoping by township is one indexed filter.
    township = models.ForeignKey(Township, models.PROTECT, related_name="inspections", verbose_name=_("乡镇"))
    plan = models.ForeignKey(
        InspectionPlan,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("检查计划"),
    )
    police_station = models.ForeignKey(
        PoliceStation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("派出所"),
    )
    kind = models.CharField(_("检查类型"), max_length=20, choices=Kind.choices)
    inspected_on = models.DateField(_("检查日期"), db_index=True)
    inspectors = models.CharField(_("检查人员"), max_length=120)
    signed_by = models.CharField(_("被检查单位签字"), max_length=50, blank=True)
    notes = models.TextField(_("检查情况"), blank=True)
    recorded_by = entered_by_field(_("录入人"))
    # Where the phone was when the inspection was recorded, if its user allowed it.
    latitude = latitude_field()
    longitude = longitude_field()
    location_accuracy_m = models.PositiveIntegerField(_("定位精度（米）"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("检查记录")
        ordering = ["-inspected_on", "-id"]
        constraints = [*location_constraints("inspection")]
        indexes = [
            models.Index(fields=["township", "inspected_on"]),
            # Plan progress: distinct premises inspected under a plan, index-only (113 → 31 ms).
            models.Index(fields=["plan", "premises"], name="inspection_plan_premises_idx"),
            # Patrol figures: a month's patrols, per member and per premises.
            models.Index(
                fields=["inspected_on", "recorded_by", "premises"],
                condition=Q(kind="patrol"),
                name="inspection_patrol_month_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.premises}"


class ChecklistResult(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")
        NOT_APPLICABLE = "na", _("不适用")

    inspection = models.ForeignKey(
        Inspection, models.CASCADE, related_name="results", verbose_name=_("检查记录")
    )
    item = models.ForeignKey(ChecklistItem, models.PROTECT, related_name="+", verbose_name=_("检查项"))
    result = models.CharField(_("结果"), max_length=4, choices=Result.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = audited_history()

    class Meta:
        verbose_name = verbose_name_plural = _("检查项结果")
        ordering = ["inspection", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="result_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.get_result_display()}"


class Hazard(AuditedModel):
    # Whose record its photos are (core.views.protected_media): township and premises lookups.
    media_scope = ("township_id", "premises_id")

    class Severity(models.TextChoices):
        GENERAL = "general", _("一般隐患")
        MAJOR = "major", _("重大火灾隐患")

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RECTIFYING = "rectifying", _("整改中")
        AWAITING_VERIFICATION = "awaiting_verification", _("待复查")
        VERIFIED = "verified", _("已复查销号")

    inspection = models.ForeignKey(
        Inspection, models.PROTECT, related_name="hazards", verbose_name=_("发现于检查")
    )
    premises = models.ForeignKey(Premises, models.PROTECT, related_name="hazards", verbose_name=_("单位"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="hazards", verbose_name=_("乡镇"))
    checklist_item = models.ForeignKey(
        ChecklistItem, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("检查项")
    )
    severity = models.CharField(_("隐患等级"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("隐患描述"))
    discovered_on = models.DateField(_("发现日期"))
    deadline = models.DateField(_("整改期限"), db_index=True)
    # How many times the deadline was extended: a township lead may extend it only so often
    # (access.check_hazard_extend_deadline).
    deadline_extensions = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    status = models.CharField(
        _("状态"), max_length=24, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    responsible_person = models.CharField(_("整改责任人"), max_length=50)
    photo_before = models.FileField(
        _("整改前照片"), upload_to=RandomName("hazards"), blank=True, validators=[validate_photo]
    )
    photo_after = models.FileField(
        _("整改后照片"), upload_to=RandomName("hazards"), blank=True, validators=[validate_photo]
    )
    verified_on = models.DateField(_("销号日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("火灾隐患")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("discovered_on")), name="hazard_deadline_after_discovery"
            ),
            models.CheckConstraint(
                condition=(Q(status="verified") & Q(verified_on__isnull=False))
                | (~Q(status="verified") & Q(verified_on__isnull=True)),
                name="hazard_verified_iff_verified_on",
            ),
        ]
        indexes = [
            # A township's list by status and deadline, and its number counted from the index alone
            # (the overdue filter reads discovered_on and verified_on; bench: 3.8 → 0.2 ms).
            models.Index(
                fields=["township", "status", "deadline"],
                include=["discovered_on", "verified_on"],
                name="hazard_township_status_due",
            ),
            models.Index(fields=["premises", "discovered_on"]),
            # hazard_stats counts per township from the index alone (bench: 51 → 12 ms per township).
            models.Index(
                fields=["township", "discovered_on"],
                include=["id", "status", "verified_on", "deadline", "severity"],
                name="hazard_township_found_cover",
            ),
            # The township page's hazards due soon, without walking every verified one (602 → 0.5 ms).
            models.Index(
                fields=["township", "deadline", "id"],
                condition=~Q(status="verified"),
                name="hazard_unverified_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.premises}：{self.description[:30]}"


class HazardPhoto(AuditedModel):
    """A photo of a hazard taken where it was found (a hazard may have several), with the time it
    was taken and, where its user allowed it, the phone's position then. The hazard's own
    `photo_before` stays its first photo as before (forms and older clients send that one)."""

    media_scope = ("hazard__township_id", "hazard__premises_id")  # see Hazard.media_scope

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="photos", verbose_name=_("隐患"))
    image = models.FileField(_("照片"), upload_to=RandomName("hazard-photos"), validators=[validate_photo])
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    location_accuracy_m = models.PositiveIntegerField(_("定位精度（米）"), null=True, blank=True)
    uploaded_by = entered_by_field(_("上传人"))

    class Meta:
        verbose_name = verbose_name_plural = _("隐患照片")
        ordering = ["hazard", "taken_at", "id"]
        constraints = [*location_constraints("hazard_photo")]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.taken_at or self.created_at:%Y-%m-%d %H:%M}"


class Rectification(AuditedModel):
    """隐患自除: what the unit did about a hazard, with evidence, awaiting a re-inspection."""

    media_scope = ("hazard__township_id", "hazard__premises_id")  # see Hazard.media_scope

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="rectifications", verbose_name=_("隐患"))
    rectified_on = models.DateField(_("整改完成日期"))
    rectified_by = models.CharField(_("整改人"), max_length=50)
    measures = models.TextField(_("整改措施"))
    evidence = models.FileField(
        _("整改佐证"), upload_to=RandomName("rectifications"), blank=True, validators=[validate_document]
    )
    submitted_by = entered_by_field(_("提交人"))

    class Meta:
        verbose_name = verbose_name_plural = _("整改记录")
        ordering = ["hazard", "rectified_on", "id"]

    def __str__(self) -> str:
        return f"{self.rectified_on} {self.rectified_by}"


class Reinspection(AuditedModel):
    """复查: a re-inspection either verifies the rectification or sends the hazard back."""

    hazard = models.ForeignKey(Hazard, models.CASCADE, related_name="reinspections", verbose_name=_("隐患"))
    rectification = models.ForeignKey(
        Rectification, models.PROTECT, related_name="reinspections", verbose_name=_("所复查的整改")
    )
    inspected_on = models.DateField(_("复查日期"))
    inspectors = models.CharField(_("复查人员"), max_length=120)
    passed = models.BooleanField(_("复查合格"))
    note = models.TextField(_("复查意见"), blank=True)
    recorded_by = entered_by_field(_("录入人"))

    class Meta:
        verbose_name = verbose_name_plural = _("复查记录")
        ordering = ["hazard", "inspected_on", "id"]

    def __str__(self) -> str:
        return f"{self.inspected_on} {gettext('合格') if self.passed else gettext('不合格')}"


class HazardHandover(AuditedModel):
    """移交消防救援机构: a hazard its township cannot resolve, handed over to the county fire rescue
    authority with a reason and evidence. The authority records what it does (HandoverAction) and
    ends it: closed with its outcome, or handed back to the township with why. The hazard's own loop
    (rectification, re-inspection, 销号) goes on as before: a hand-over adds the authority's acts."""

    media_scope = ("hazard__township_id", "hazard__premises_id")  # see Hazard.media_scope

    class Status(models.TextChoices):
        HANDED_OVER = "handed_over", _("已移交")
        CLOSED = "closed", _("已办结")
        RETURNED = "returned", _("已退回乡镇")

    hazard = models.ForeignKey(Hazard, models.PROTECT, related_name="handovers", verbose_name=_("隐患"))
    handed_over_on = models.DateField(_("移交日期"))
    reason = models.TextField(_("移交理由"))
    evidence = models.FileField(
        _("移交材料"), upload_to=RandomName("handovers"), validators=[validate_document]
    )
    handed_over_by = entered_by_field(_("移交人"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.HANDED_OVER, db_index=True
    )
    ended_on = models.DateField(_("办结/退回日期"), null=True, blank=True)
    # 办理结果 when closed; why it went back when returned.
    outcome = models.TextField(_("办理结果"), blank=True)
    ended_by = entered_by_field(_("办结/退回人"))

    class Meta:
        verbose_name = verbose_name_plural = _("隐患移交")
        ordering = ["-handed_over_on", "-id"]
        constraints = [
            # Handed over once: again only after the authority handed it back.
            models.UniqueConstraint(
                fields=["hazard"], condition=~Q(status="returned"), name="handover_once_unless_returned"
            ),
            models.CheckConstraint(
                condition=(Q(status="handed_over") & Q(ended_on__isnull=True))
                | (~Q(status="handed_over") & Q(ended_on__isnull=False) & ~Q(outcome="")),
                name="handover_ended_with_date_and_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handed_over_on} {self.hazard}"


class HandoverAction(AuditedModel):
    """What the fire rescue authority did about a hand-over, step by step."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("已受理")
        INVESTIGATED = "investigated", _("依法查处")
        ORDERED = "ordered", _("责令整改")
        SEALED = "sealed", _("临时查封")
        PENALISED = "penalised", _("行政处罚")
        OTHER = "other", _("其他")

    handover = models.ForeignKey(
        HazardHandover, models.CASCADE, related_name="actions", verbose_name=_("隐患移交")
    )
    kind = models.CharField(_("措施"), max_length=14, choices=Kind.choices)
    taken_on = models.DateField(_("日期"))
    note = models.TextField(_("情况说明"), blank=True)
    recorded_by = entered_by_field(_("录入人"))

    class Meta:
        verbose_name = verbose_name_plural = _("移交办理措施")
        ordering = ["handover", "taken_on", "id"]

    def __str__(self) -> str:
        return f"{self.taken_on} {self.get_kind_display()}"


class HazardSupervision(AuditedModel):
    """挂牌督办: a major hazard the county lists for supervision, with the leader who answers for it
    and a deadline; lifted (摘牌) only by the county, with a reason. The leader is named as written
    (a county or township leader rarely has an account), with a phone to reach them."""

    hazard = models.ForeignKey(Hazard, models.PROTECT, related_name="supervisions", verbose_name=_("隐患"))
    listed_on = models.DateField(_("挂牌日期"))
    leader = models.CharField(_("督办责任领导"), max_length=50)
    leader_phone = phone_field(_("责任领导电话"), blank=True)
    deadline = models.DateField(_("督办期限"), db_index=True)
    requirement = models.TextField(_("督办要求"), blank=True)
    listed_by = entered_by_field(_("挂牌人"))
    lifted_on = models.DateField(_("摘牌日期"), null=True, blank=True)
    lift_reason = models.TextField(_("摘牌理由"), blank=True)
    lifted_by = entered_by_field(_("摘牌人"))

    class Meta:
        verbose_name = verbose_name_plural = _("挂牌督办")
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(lifted_on__isnull=True), name="supervision_once_while_listed"
            ),
            models.CheckConstraint(
                condition=(Q(lifted_on__isnull=True) & Q(lift_reason=""))
                | (Q(lifted_on__isnull=False) & ~Q(lift_reason="")),
                name="supervision_lifted_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("listed_on")), name="supervision_deadline_after_listing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard}（{self.leader}）"


class Accountability(AuditedModel):
    """责任追究 decided after a fire or a missed deadline."""

    township = models.ForeignKey(
        Township, models.PROTECT, related_name="accountabilities", verbose_name=_("乡镇")
    )
    incident = models.ForeignKey(
        FireIncident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accountabilities",
        verbose_name=_("火灾"),
    )
    premises = models.ForeignKey(
        Premises,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accountabilities",
        verbose_name=_("单位"),
    )
    hazard = models.ForeignKey(
        Hazard, models.PROTECT, null=True, blank=True, related_name="accountabilities", verbose_name=_("隐患")
    )
    assignment = models.ForeignKey(
        Assignment,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accountabilities",
        verbose_name=_("任务"),
    )
    person = models.CharField(_("被追责人"), max_length=50)
    unit = models.CharField(_("所在单位"), max_length=100)
    finding = models.TextField(_("查明事实"))
    sanction = models.CharField(_("处理结果"), max_length=200)
    decided_by = models.CharField(_("决定机关"), max_length=100)
    decided_on = models.DateField(_("决定日期"))

    class Meta:
        verbose_name = verbose_name_plural = _("责任追究")
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(incident__isnull=False)
                | Q(premises__isnull=False)
                | Q(hazard__isnull=False)
                | Q(assignment__isnull=False),
                name="accountability_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decided_on} {self.person}：{self.sanction}"


# --- figures kept as they change (inspections.tallies): what the county's pages read -------------


class HazardTally(models.Model):
    """One township's hazards for one campaign, kept by the services in the same transaction as every
    write that changes them (inspections.tallies) and recomputed by `manage.py rebuild_figures`.

    Found: discovered within the campaign's dates. Rectified: of those, verified on or before its
    last day (for a running campaign: verified at all). Carried: discovered before its first day and
    not verified by its last. So a campaign reads as of today while it runs and as of its last day
    once it is over, without reading a single hazard."""

    township = models.ForeignKey(Township, models.CASCADE, related_name="+", verbose_name=_("乡镇"))
    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="hazard_tallies", verbose_name=_("防控行动")
    )
    found = models.IntegerField(_("发现隐患"), default=0)
    major = models.IntegerField(_("重大隐患"), default=0)
    rectified = models.IntegerField(_("已销号"), default=0)
    major_rectified = models.IntegerField(_("重大隐患已销号"), default=0)
    rectified_late = models.IntegerField(_("超期销号"), default=0)
    carried_open = models.IntegerField(_("往期未销号"), default=0)
    # Of the found: not rectified by the last day, deadline before it. A campaign once over is read
    # as of its last day, so its overdue needs no sum over deadlines.
    overdue_at_end = models.IntegerField(_("结束时逾期"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("隐患统计")
        constraints = [
            models.UniqueConstraint(fields=["township", "campaign"], name="hazard_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.township_id}·{self.campaign_id}"


class HazardDeadlineTally(models.Model):
    """A campaign's found hazards of one township not rectified by its last day, by deadline: those
    overdue as of any day are the sum over the deadlines before it."""

    township = models.ForeignKey(Township, models.CASCADE, related_name="+", verbose_name=_("乡镇"))
    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="hazard_deadline_tallies", verbose_name=_("防控行动")
    )
    deadline = models.DateField(_("整改期限"))
    open = models.IntegerField(_("未销号"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("隐患期限统计")
        constraints = [
            models.UniqueConstraint(
                fields=["township", "campaign", "deadline"], name="hazard_deadline_tally_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township_id}·{self.campaign_id}·{self.deadline}"
