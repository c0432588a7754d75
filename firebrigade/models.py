from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import phone_field
from core.geo import latitude_field, location_constraints, longitude_field
from core.models import AuditedModel, ScanCode, TimeStampedModel, audited_history
from core.uploads import RandomName, validate_document
from townships.models import Premises, Township


class BrigadeClass(models.TextChoices):
    CLASS_1 = "class1", _("一级专职消防队")
    CLASS_2 = "class2", _("二级专职消防队")
    VOLUNTEER = "volunteer", _("志愿消防队")


class BrigadeStandard(AuditedModel):
    """Construction standard per brigade class (after GB/T 35547); figures are data the center edits."""

    brigade_class = models.CharField(_("队伍等级"), max_length=16, choices=BrigadeClass.choices, unique=True)
    min_staff = models.PositiveSmallIntegerField(_("最少执勤人员（人）"))
    min_vehicles = models.PositiveSmallIntegerField(_("最少消防车辆（辆）"))
    min_station_area_m2 = models.PositiveIntegerField(_("最小营房面积（㎡）"))
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("建设标准")
        ordering = ["brigade_class"]

    def __str__(self) -> str:
        return self.get_brigade_class_display()


class Brigade(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("规划中")
        UNDER_CONSTRUCTION = "under_construction", _("建设中")
        ESTABLISHED = "established", _("已建成")
        ACCEPTED = "accepted", _("已验收")

    township = models.ForeignKey(
        Township, models.PROTECT, related_name="brigades", verbose_name=_("所属乡镇")
    )
    also_serves = models.ManyToManyField(
        Township, blank=True, related_name="shared_brigades", verbose_name=_("共建（兼管）乡镇")
    )
    name = models.CharField(_("队伍名称"), max_length=80, unique=True)
    brigade_class = models.CharField(_("队伍等级"), max_length=16, choices=BrigadeClass.choices)
    status = models.CharField(
        _("建设状态"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    station_address = models.CharField(_("营房地址"), max_length=200, blank=True)
    station_area_m2 = models.PositiveIntegerField(_("营房面积（㎡）"), null=True, blank=True)
    latitude = latitude_field(help_text=_("营房位置，用于地图和覆盖范围。"))
    longitude = longitude_field()
    duty_phone = phone_field(_("值班电话"), blank=True)
    construction_started_on = models.DateField(_("开工日期"), null=True, blank=True)
    established_on = models.DateField(_("建成日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = models.CharField(_("验收单位"), max_length=80, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # Kept by the services as members and equipment change (firebrigade.tallies); not history.
    active_staff = models.PositiveIntegerField(
        _("在岗队员"), default=0, editable=False, help_text=_("未离职且在岗执勤的队员人数。")
    )
    good_vehicles = models.PositiveIntegerField(
        _("完好车辆"), default=0, editable=False, help_text=_("状况完好的消防车辆数。")
    )
    history = audited_history(m2m_fields=[also_serves], excluded_fields=["active_staff", "good_vehicles"])

    class Meta:
        verbose_name = verbose_name_plural = _("乡镇专职消防队")
        ordering = ["township", "name"]
        constraints = [
            # A status can only be held with the dates that prove it.
            models.CheckConstraint(
                condition=~Q(status__in=["established", "accepted"]) | Q(established_on__isnull=False),
                name="brigade_established_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_on__isnull=False),
                name="brigade_accepted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(accepted_on__gte=F("established_on")),
                name="brigade_accepted_after_established",
            ),
            *location_constraints("brigade"),
        ]

    def __str__(self) -> str:
        return self.name


class BrigadeMember(AuditedModel):
    class Role(models.TextChoices):
        CAPTAIN = "captain", _("队长")
        DEPUTY_CAPTAIN = "deputy_captain", _("副队长")
        DRIVER = "driver", _("驾驶员")
        FIREFIGHTER = "firefighter", _("战斗员")
        DISPATCHER = "dispatcher", _("通信员")

    brigade = models.ForeignKey(Brigade, models.CASCADE, related_name="members", verbose_name=_("消防队"))
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("岗位"), max_length=20, choices=Role.choices)
    phone = phone_field(_("电话"), blank=True)
    certification = models.CharField(_("资格证书"), max_length=80, blank=True)
    certified_on = models.DateField(_("取证日期"), null=True, blank=True)
    hired_on = models.DateField(_("入职日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    contract_until = models.DateField(_("合同到期"), null=True, blank=True)
    certificate_until = models.DateField(
        _("证书有效期至"), null=True, blank=True, help_text=_("资格证书到期前提醒乡镇续证。")
    )
    on_duty = models.BooleanField(_("在岗执勤"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("队员")
        ordering = ["brigade", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("hired_on")),
                name="member_left_after_hired",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(on_duty=False),
                name="member_left_not_on_duty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class EquipmentType(AuditedModel):
    class Category(models.TextChoices):
        VEHICLE = "vehicle", _("消防车辆")
        PUMP = "pump", _("泵浦")
        HOSE = "hose", _("水带水枪")
        PROTECTIVE = "protective", _("个人防护")
        BREATHING = "breathing", _("呼吸保护")
        EXTINGUISHER = "extinguisher", _("灭火器材")
        RESCUE = "rescue", _("破拆救援")
        COMMUNICATION = "communication", _("通信器材")

    name = models.CharField(_("装备名称"), max_length=80, unique=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("计量单位"), max_length=10, default="件")
    maintenance_interval_days = models.PositiveSmallIntegerField(_("保养周期（天）"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("装备类型")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class EquipmentRequirement(AuditedModel):
    """Standard allocation: how many of a type a brigade of a class must hold."""

    standard = models.ForeignKey(
        BrigadeStandard, models.CASCADE, related_name="requirements", verbose_name=_("建设标准")
    )
    equipment_type = models.ForeignKey(
        EquipmentType, models.PROTECT, related_name="requirements", verbose_name=_("装备类型")
    )
    quantity = models.PositiveIntegerField(_("配备数量"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = verbose_name_plural = _("装备配备标准")
        ordering = ["standard", "equipment_type"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "equipment_type"], name="requirement_unique_type"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="requirement_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.standard}·{self.equipment_type}×{self.quantity}"


class EquipmentItem(AuditedModel):
    class Condition(models.TextChoices):
        GOOD = "good", _("完好")
        NEEDS_REPAIR = "needs_repair", _("待维修")
        SCRAPPED = "scrapped", _("报废")

    brigade = models.ForeignKey(Brigade, models.CASCADE, related_name="equipment", verbose_name=_("消防队"))
    equipment_type = models.ForeignKey(
        EquipmentType, models.PROTECT, related_name="items", verbose_name=_("装备类型")
    )
    quantity = models.PositiveIntegerField(_("数量"))
    condition = models.CharField(_("状况"), max_length=16, choices=Condition.choices, default=Condition.GOOD)
    acquired_on = models.DateField(_("配备日期"), null=True, blank=True)
    last_maintained_on = models.DateField(_("上次保养"), null=True, blank=True)
    next_maintenance_on = models.DateField(_("下次保养"), null=True, blank=True, db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("装备")
        ordering = ["brigade", "equipment_type"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="equipment_quantity_nonneg"),
            models.CheckConstraint(
                condition=Q(next_maintenance_on__isnull=True)
                | Q(last_maintained_on__isnull=True)
                | Q(next_maintenance_on__gte=F("last_maintained_on")),
                name="equipment_next_after_last_maintenance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_type}×{self.quantity}"


class EquipmentCode(ScanCode):
    """一店一码 of an equipment item: scanning it opens the item's card, where a maintenance check is
    recorded (homes.views.scan)."""

    item = models.ForeignKey(EquipmentItem, models.CASCADE, related_name="codes", verbose_name=_("装备"))

    class Meta:
        verbose_name = verbose_name_plural = _("装备二维码")
        ordering = ["item", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(revoked_at__isnull=True), name="equipment_one_code_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.token[:6]}…"


class EquipmentCheck(AuditedModel):
    """A maintenance check (维护检查) of an item, usually recorded by scanning its code: what was found.
    The item's condition follows the finding (firebrigade.services.equipment_check_record)."""

    class Result(models.TextChoices):
        GOOD = "good", _("完好")
        NEEDS_REPAIR = "needs_repair", _("需维修")
        SCRAPPED = "scrapped", _("报废")

    item = models.ForeignKey(EquipmentItem, models.CASCADE, related_name="checks", verbose_name=_("装备"))
    checked_on = models.DateField(_("检查日期"))
    result = models.CharField(_("检查结果"), max_length=16, choices=Result.choices)
    note = models.CharField(_("情况说明"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
        editable=False,
    )

    class Meta:
        verbose_name = verbose_name_plural = _("装备维护检查")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["item", "-checked_on"])]

    def __str__(self) -> str:
        return f"{self.item} · {self.checked_on:%Y-%m-%d} · {self.get_result_display()}"


class FundingCategory(models.TextChoices):
    PERSONNEL = "personnel", _("人员经费")
    OFFICE = "office", _("办公经费")
    EQUIPMENT = "equipment", _("装备经费")


class FundingAllocation(AuditedModel):
    township = models.ForeignKey(
        Township, models.PROTECT, related_name="funding_allocations", verbose_name=_("乡镇")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("经费类别"), max_length=16, choices=FundingCategory.choices)
    amount = models.DecimalField(_("拨付计划（元）"), max_digits=12, decimal_places=2)
    # Kept in step with the disbursements by the funding services, under a row lock.
    disbursed_amount = models.DecimalField(
        _("已到位（元）"), max_digits=12, decimal_places=2, default=0, editable=False
    )
    source = models.CharField(_("资金来源"), max_length=80, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("经费预算")
        ordering = ["-year", "township", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year", "category"], name="allocation_unique_per_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(disbursed_amount__gte=0) & Q(disbursed_amount__lte=F("amount")),
                name="allocation_disbursed_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="allocation_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.year} {self.get_category_display()}"


class Disbursement(AuditedModel):
    allocation = models.ForeignKey(
        FundingAllocation, models.PROTECT, related_name="disbursements", verbose_name=_("经费预算")
    )
    amount = models.DecimalField(_("到位金额（元）"), max_digits=12, decimal_places=2)
    disbursed_on = models.DateField(_("到位日期"))
    voucher_no = models.CharField(_("凭证号"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("登记人")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("经费到位")
        ordering = ["-disbursed_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return gettext("%(allocation)s %(amount)s 元") % {
            "allocation": self.allocation,
            "amount": self.amount,
        }


class FireGrade(models.TextChoices):
    """火灾等级 (公安部 2007 火灾等级标准)."""

    GENERAL = "general", _("一般火灾")
    LARGER = "larger", _("较大火灾")
    MAJOR = "major", _("重大火灾")
    ESPECIALLY_MAJOR = "especially_major", _("特别重大火灾")


# The national grading: the least deaths, seriously injured and direct loss (yuan) that make a fire
# of each grade above 一般, highest first; any one suffices. The standard's "以上" includes the number.
# The grading service (firebrigade.services.fire_grade) and the database constraint both read this.
GRADE_THRESHOLDS = (
    (FireGrade.ESPECIALLY_MAJOR, 30, 100, Decimal(100_000_000)),
    (FireGrade.MAJOR, 10, 50, Decimal(50_000_000)),
    (FireGrade.LARGER, 3, 10, Decimal(10_000_000)),
)


def _reaches(deaths: int, serious: int, loss: Decimal) -> Q:
    return Q(deaths__gte=deaths) | Q(serious_injuries__gte=serious) | Q(direct_loss__gte=loss)


def _grade_follows_figures() -> Q:
    """The grade a row holds is the one its deaths, seriously injured and loss give."""
    condition = Q()
    above = None  # reaches a higher grade
    for grade, *least in GRADE_THRESHOLDS:
        reaches = _reaches(*least)
        condition |= Q(grade=grade) & reaches & (~above if above is not None else Q())
        above = reaches if above is None else above | reaches
    return condition | (Q(grade=FireGrade.GENERAL) & ~above)


# The hours a township has to report a fire to the county, by grade: (any fire, a fire with deaths),
# until the guidance center sets its own (FireReportingRule). Ordinary fires by the next day; fires
# with deaths and 较大 and above at once (within 1–2 hours), as the national reporting rules require.
DEFAULT_REPORT_HOURS = {
    FireGrade.GENERAL: (24, 2),
    FireGrade.LARGER: (2, 2),
    FireGrade.MAJOR: (1, 1),
    FireGrade.ESPECIALLY_MAJOR: (1, 1),
}


class FireReportingRule(AuditedModel):
    """How many hours after a fire of a grade the township must have reported it to the county. The
    guidance center edits the figures; a grade without a row follows DEFAULT_REPORT_HOURS."""

    grade = models.CharField(_("火灾等级"), max_length=20, choices=FireGrade.choices, unique=True)
    hours = models.PositiveSmallIntegerField(
        _("报告时限（小时）"), validators=[MinValueValidator(1)], help_text=_("从起火时间起算。")
    )
    hours_with_deaths = models.PositiveSmallIntegerField(
        _("有人员死亡时报告时限（小时）"), validators=[MinValueValidator(1)]
    )
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("火灾报告时限")
        ordering = ["grade"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=1) & Q(hours_with_deaths__gte=1), name="report_rule_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.get_grade_display()


class FireIncident(AuditedModel):
    class Cause(models.TextChoices):
        ELECTRICAL = "electrical", _("电气火灾")
        CARELESS = "careless", _("生活用火不慎")
        HEATING = "heating", _("取暖用火")
        SMOKING = "smoking", _("吸烟")
        PLAYING = "playing", _("玩火")
        STRAW_BURNING = "straw_burning", _("焚烧秸秆")
        ARSON = "arson", _("放火")
        SPONTANEOUS = "spontaneous", _("自燃")
        OTHER = "other", _("其他")
        UNDETERMINED = "undetermined", _("原因不明")

    township = models.ForeignKey(
        Township, models.PROTECT, related_name="fire_incidents", verbose_name=_("乡镇")
    )
    premises = models.ForeignKey(
        Premises,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="fire_incidents",
        verbose_name=_("起火单位"),
    )
    occurred_at = models.DateTimeField(_("起火时间"), db_index=True)
    address = models.CharField(_("起火地点"), max_length=200)
    cause = models.CharField(_("起火原因"), max_length=20, choices=Cause.choices)
    reported_at = models.DateTimeField(
        _("报告时间"),
        null=True,
        blank=True,
        help_text=_("乡镇向县里报告的时间。在系统中上报时自动记录；空白表示乡镇尚未报告。"),
    )
    deaths = models.PositiveSmallIntegerField(_("死亡人数"), default=0)
    injuries = models.PositiveSmallIntegerField(_("受伤人数"), default=0)
    serious_injuries = models.PositiveSmallIntegerField(
        _("其中重伤人数"), default=0, help_text=_("计入受伤人数，用于确定火灾等级。")
    )
    direct_loss = models.DecimalField(_("直接财产损失（元）"), max_digits=14, decimal_places=2, default=0)
    burned_area_m2 = models.DecimalField(
        _("过火面积（㎡）"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    # Set by the services from the casualties and the loss (fire_grade), never typed in.
    grade = models.CharField(
        _("火灾等级"),
        max_length=20,
        choices=FireGrade.choices,
        default=FireGrade.GENERAL,
        editable=False,
        db_index=True,
    )
    responding_brigade = models.ForeignKey(
        Brigade,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("出动队伍"),
    )
    arrival_minutes = models.PositiveSmallIntegerField(_("到场用时（分钟）"), null=True, blank=True)
    description = models.TextField(_("经过"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("火灾")
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(condition=Q(direct_loss__gte=0), name="incident_loss_nonneg"),
            models.CheckConstraint(
                condition=Q(serious_injuries__lte=F("injuries")),
                name="incident_serious_within_injured",
                violation_error_message=_("重伤人数不能多于受伤人数。"),
            ),
            models.CheckConstraint(
                condition=Q(burned_area_m2__isnull=True) | Q(burned_area_m2__gte=0),
                name="incident_burned_area_nonneg",
                violation_error_message=_("过火面积不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(reported_at__gte=F("occurred_at")),
                name="incident_reported_after_fire",
                violation_error_message=_("报告时间不能早于起火时间。"),
            ),
            models.CheckConstraint(condition=_grade_follows_figures(), name="incident_grade_follows_figures"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.address}"


# --- the brigade archive (一队一档): documents, training and drills, duty, call-outs, publicity ---


class BrigadeDocument(AuditedModel):
    """A document of a brigade's file (建队批复, 验收报告, 执勤制度): a scan or a PDF, served only to
    whoever may see the brigade (core.views.protected_media)."""

    media_scope = ("brigade__township_id", None)

    class Kind(models.TextChoices):
        FOUNDING = "founding", _("建队批复")
        ACCEPTANCE = "acceptance", _("验收报告")
        DUTY_RULES = "duty_rules", _("执勤制度")
        OTHER = "other", _("其他")

    brigade = models.ForeignKey(Brigade, models.CASCADE, related_name="documents", verbose_name=_("消防队"))
    kind = models.CharField(_("文件类别"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("文件名称"), max_length=120)
    issued_on = models.DateField(_("文件日期"), null=True, blank=True)
    file = models.FileField(
        _("文件"), upload_to=RandomName("brigade-documents"), max_length=200, validators=[validate_document]
    )

    class Meta:
        verbose_name = verbose_name_plural = _("队伍档案文件")
        ordering = ["brigade", "kind", "-issued_on", "id"]

    def __str__(self) -> str:
        return self.title


class TrainingRecord(AuditedModel):
    """A training session or a drill (演练) of a brigade: when, how long, what, who took part."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("训练")
        DRILL = "drill", _("演练")

    brigade = models.ForeignKey(Brigade, models.CASCADE, related_name="trainings", verbose_name=_("消防队"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("日期"), db_index=True)
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    topic = models.CharField(_("内容"), max_length=200)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    participants = models.ManyToManyField(
        BrigadeMember, blank=True, related_name="trainings", verbose_name=_("参加队员")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("训练演练记录")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="training_hours_in_a_day",
                violation_error_message=_("时长须大于 0 且不超过 24 小时。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}：{self.topic}"


class DutyRosterEntry(AuditedModel):
    """Who is on duty at a brigade on a day and shift, and who leads the shift (带班)."""

    class Shift(models.TextChoices):
        ALL_DAY = "all_day", _("全天")
        DAY = "day", _("白班")
        NIGHT = "night", _("夜班")

    brigade = models.ForeignKey(Brigade, models.CASCADE, related_name="duty_roster", verbose_name=_("消防队"))
    duty_on = models.DateField(_("值班日期"), db_index=True)
    shift = models.CharField(_("班次"), max_length=16, choices=Shift.choices, default=Shift.ALL_DAY)
    leader = models.ForeignKey(
        BrigadeMember, models.PROTECT, related_name="duties_led", verbose_name=_("带班人")
    )
    members = models.ManyToManyField(
        BrigadeMember, blank=True, related_name="duties", verbose_name=_("值班队员")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("执勤排班")
        ordering = ["-duty_on", "shift", "id"]
        constraints = [
            models.UniqueConstraint(fields=["brigade", "duty_on", "shift"], name="duty_once_per_shift"),
        ]

    def __str__(self) -> str:
        return f"{self.duty_on} {self.get_shift_display()}"


class CallOut(AuditedModel):
    """出警: a brigade called out — to a fire (linked to its FireIncident where there is one), a
    rescue or a social assistance — with the time called and the time it arrived."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("火灾")
        RESCUE = "rescue", _("抢险救援")
        ASSISTANCE = "assistance", _("社会救助")
        OTHER = "other", _("其他")

    brigade = models.ForeignKey(Brigade, models.CASCADE, related_name="call_outs", verbose_name=_("消防队"))
    kind = models.CharField(_("出警类型"), max_length=16, choices=Kind.choices)
    called_at = models.DateTimeField(_("接警时间"), db_index=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    address = models.CharField(_("地点"), max_length=200)
    outcome = models.TextField(_("处置结果"), blank=True)
    incident = models.ForeignKey(
        FireIncident,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_outs",
        verbose_name=_("对应火灾"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("出警记录")
        ordering = ["-called_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("called_at")),
                name="call_out_arrived_after_called",
                violation_error_message=_("到场时间不能早于接警时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.address}"

    @property
    def response_minutes(self) -> int | None:
        """Whole minutes from the call to the arrival; None without an arrival."""
        if self.arrived_at is None:
            return None
        return int((self.arrived_at - self.called_at).total_seconds() // 60)


class PublicityActivity(AuditedModel):
    """宣传: a fire-safety publicity activity a brigade held — when, what kind, where, how many reached."""

    class Kind(models.TextChoices):
        DOOR_TO_DOOR = "door_to_door", _("入户宣传")
        LECTURE = "lecture", _("集中宣讲")
        DEMONSTRATION = "demonstration", _("消防演示")
        LEAFLETS = "leaflets", _("发放资料")
        OTHER = "other", _("其他")

    brigade = models.ForeignKey(Brigade, models.CASCADE, related_name="publicity", verbose_name=_("消防队"))
    held_on = models.DateField(_("日期"), db_index=True)
    kind = models.CharField(_("宣传形式"), max_length=16, choices=Kind.choices)
    place = models.CharField(_("地点"), max_length=120)
    audience = models.PositiveIntegerField(_("受众人数"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("消防宣传")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.place}"
