from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import phone_field
from core.geo import latitude_field, location_constraints, longitude_field
from core.models import AuditedModel, ScanCode, TimeStampedModel, audited_history
from core.uploads import RandomName, validate_document


def _interval_field(verbose_name, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, default=default, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )


class County(AuditedModel):
    name = models.CharField(_("县名"), max_length=50, unique=True)
    code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    brigade_coverage_km = models.DecimalField(
        _("消防队覆盖半径（公里）"),
        max_digits=4,
        decimal_places=1,
        default=5,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(50))],
        help_text=_("地图上画出的每支已建成消防队的覆盖范围；离所有队伍都超过这个距离的单位列为“覆盖不到”。"),
    )
    # Days between inspections by risk level (townships.services.inspection_due_date); the guidance
    # center sets them, and a change reschedules every premises of the county.
    inspection_days_high = _interval_field(_("高风险单位检查周期（天）"), 30)
    inspection_days_medium = _interval_field(_("中风险单位检查周期（天）"), 90)
    inspection_days_low = _interval_field(_("低风险单位检查周期（天）"), 180)

    class Meta:
        verbose_name = verbose_name_plural = _("县")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CountyDepartment(AuditedModel):
    """县直部门: a department of the county government (指导中心, 财政局, 公安局, …). It can be given
    assignments of a meeting like a township, and its users report on them (meetings)."""

    county = models.ForeignKey(County, models.PROTECT, related_name="departments", verbose_name=_("县"))
    name = models.CharField(_("部门名称"), max_length=60)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("县直部门")
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="department_unique_name_in_county"),
        ]

    def __str__(self) -> str:
        return self.name


class SensitivePeriod(AuditedModel):
    """A time of heightened risk (元旦, 春节, 全国两会 …) when high-risk premises are inspected more
    often: each is due at the period's start at the latest, then every `high_risk_days` until it
    ends (townships.services.inspection_due_date)."""

    county = models.ForeignKey(County, models.CASCADE, related_name="sensitive_periods", verbose_name=_("县"))
    name = models.CharField(_("名称"), max_length=50, help_text=_("如：元旦、春节、全国两会。"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    high_risk_days = models.PositiveSmallIntegerField(
        _("期间高风险单位检查周期（天）"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("期间内高风险单位每隔多少天至少检查一次；期间开始时尚未检查的，开始当天即到期。"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("重点时段")
        ordering = ["county", "starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="sensitive_period_ends_after_start"
            ),
            models.UniqueConstraint(fields=["county", "name", "starts_on"], name="sensitive_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts_on:%Y-%m-%d}—{self.ends_on:%Y-%m-%d}）"


class Township(AuditedModel):
    class Kind(models.TextChoices):
        TOWNSHIP = "township", _("乡")
        TOWN = "town", _("镇")
        SUBDISTRICT = "subdistrict", _("街道办")

    county = models.ForeignKey(County, models.PROTECT, related_name="townships", verbose_name=_("县"))
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    principal_leader = models.CharField(_("主要领导"), max_length=50, blank=True)
    principal_leader_phone = phone_field(_("主要领导电话"), blank=True)
    fire_deputy = models.CharField(_("分管消防副职"), max_length=50, blank=True)
    fire_deputy_phone = phone_field(_("分管消防副职电话"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # A GeoJSON Polygon or MultiPolygon, set only by uploading the county's boundaries
    # (services.township_boundaries_upload), which checks it.
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("乡镇（街道办）")
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="township_unique_name_in_county"),
        ]

    def __str__(self) -> str:
        return self.name


class PoliceStation(TimeStampedModel):
    county = models.ForeignKey(County, models.PROTECT, related_name="police_stations", verbose_name=_("县"))
    name = models.CharField(_("名称"), max_length=50)
    townships = models.ManyToManyField(
        Township, related_name="police_stations", verbose_name=_("辖区乡镇"), blank=True
    )
    chief = models.CharField(_("所长"), max_length=50, blank=True)
    phone = phone_field(_("电话"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = audited_history(m2m_fields=[townships])

    class Meta:
        verbose_name = verbose_name_plural = _("派出所")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="policestation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Grid(AuditedModel):
    township = models.ForeignKey(Township, models.PROTECT, related_name="grids", verbose_name=_("乡镇"))
    name = models.CharField(_("网格名称"), max_length=80)
    area_description = models.CharField(_("网格范围"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("网格")
        ordering = ["township", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="grid_unique_name_in_township"),
        ]

    def __str__(self) -> str:
        return f"{self.township.name}·{self.name}"


class GridMember(AuditedModel):
    class Role(models.TextChoices):
        CHIEF = "chief", _("网格长")
        MEMBER = "member", _("网格员")

    grid = models.ForeignKey(Grid, models.CASCADE, related_name="members", verbose_name=_("网格"))
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职责"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    phone = phone_field(_("电话"))
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("网格员")
        ordering = ["grid", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class Premises(AuditedModel):
    class Category(models.TextChoices):
        SHOP = "shop", _("商铺")
        FACTORY = "factory", _("工厂企业")
        SCHOOL = "school", _("学校")
        MARKET = "market", _("集贸市场")
        WAREHOUSE = "warehouse", _("仓库")
        RESIDENTIAL = "residential", _("村居民聚居区")
        ENTERTAINMENT = "entertainment", _("公众娱乐场所")
        MEDICAL = "medical", _("医疗养老机构")
        HOTEL = "hotel", _("宾馆饭店")
        OTHER = "other", _("其他")

    class RiskLevel(models.TextChoices):
        HIGH = "high", _("高风险")
        MEDIUM = "medium", _("中风险")
        LOW = "low", _("低风险")

    township = models.ForeignKey(Township, models.PROTECT, related_name="premises", verbose_name=_("乡镇"))
    grid = models.ForeignKey(
        Grid, models.SET_NULL, null=True, blank=True, related_name="premises", verbose_name=_("网格")
    )
    police_station = models.ForeignKey(
        PoliceStation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="premises",
        verbose_name=_("辖区派出所"),
    )
    name = models.CharField(_("单位名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    is_key_unit = models.BooleanField(_("消防安全重点单位"), default=False)
    responsible_person = models.CharField(_("消防安全责任人"), max_length=50)
    responsible_phone = phone_field(_("责任人电话"))
    manager = models.CharField(_("消防安全管理人"), max_length=50, blank=True)
    manager_phone = phone_field(_("管理人电话"), blank=True)
    last_inspected_on = models.DateField(_("最近检查日期"), null=True, blank=True)
    next_inspection_due = models.DateField(_("下次检查期限"), null=True, blank=True, db_index=True)
    latitude = latitude_field()
    longitude = longitude_field()
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_premises",
        verbose_name=_("责任人账号"),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("社会单位（场所）")
        ordering = ["township", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name", "address"], name="premises_unique_in_township"
            ),
            *location_constraints("premises"),
        ]
        indexes = [models.Index(fields=["township", "risk_level"])]

    def __str__(self) -> str:
        return self.name


class ResponsibilityAgreement(AuditedModel):
    """消防安全目标责任书: who signed responsibility for what, per year."""

    media_scope = ("township_id", "premises_id")  # whose record its scan is (core.views.protected_media)

    township = models.ForeignKey(Township, models.PROTECT, related_name="agreements", verbose_name=_("乡镇"))
    premises = models.ForeignKey(
        Premises,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("社会单位"),
        help_text=_("留空表示乡镇（街道办）与县政府签订的责任书。"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    signatory = models.CharField(_("签订人（责任方）"), max_length=50)
    counterparty = models.CharField(_("签订对方"), max_length=80)
    scope = models.TextField(_("责任内容"))
    signed_on = models.DateField(_("签订日期"))
    document = models.FileField(
        _("责任书扫描件"), upload_to=RandomName("agreements"), blank=True, validators=[validate_document]
    )

    class Meta:
        verbose_name = verbose_name_plural = _("消防安全责任书")
        ordering = ["-year", "township"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="agreement_year_sane"
            ),
            models.UniqueConstraint(
                fields=["township", "year"],
                condition=Q(premises__isnull=True),
                name="agreement_one_township_agreement_per_year",
            ),
            models.UniqueConstraint(
                fields=["premises", "year"],
                condition=Q(premises__isnull=False),
                name="agreement_one_premises_agreement_per_year",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s %(party)s 消防安全责任书") % {
            "year": self.year,
            "party": self.premises or self.township,
        }


class PremisesCode(ScanCode):
    """一店一码 of a premises: scanning it opens the premises' card (homes.views.scan)."""

    premises = models.ForeignKey(Premises, models.CASCADE, related_name="codes", verbose_name=_("社会单位"))

    class Meta:
        verbose_name = verbose_name_plural = _("单位二维码")
        ordering = ["premises", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["premises"], condition=Q(revoked_at__isnull=True), name="premises_one_code_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.premises} · {self.token[:6]}…"
