"""The annual assessment (消防工作考核): a scheme per county and year that the guidance center edits,
its items (automatic ones scored from the live figures, manual ones scored with evidence), and per
township and item the township's own score beside the center's."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import entered_by_field
from core.models import TimeStampedModel
from core.uploads import RandomName, validate_document


class Metric(models.TextChoices):
    """What an automatic item is scored from (assessments.metrics says how)."""

    BRIGADE_BUILT = "brigade_built", _("专职消防队建设进度")
    BRIGADE_STAFFED = "brigade_staffed", _("专职队员在岗率")
    EQUIPMENT_GAP = "equipment_gap", _("装备缺口")
    FUNDING_RATIO = "funding_ratio", _("经费到位率")
    PLAN_PROGRESS = "plan_progress", _("检查计划完成率")
    RECTIFICATION_RATE = "rectification_rate", _("隐患整改率")
    HAZARDS_OVERDUE = "hazards_overdue", _("逾期未整改隐患")
    MAJOR_OPEN = "hazards_major_open", _("未整改重大火灾隐患")
    FIRES_UP = "fires_up", _("火灾起数较上年同期增加")
    CASUALTIES = "casualties", _("火灾伤亡人数")
    ASSIGNMENT_RATE = "assignment_rate", _("会议任务按期办结率")


class AssessmentScheme(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("评分中")
        PUBLISHED = "published", _("已发布")

    county = models.ForeignKey(
        "townships.County", models.PROTECT, related_name="assessment_schemes", verbose_name=_("县")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    campaign = models.ForeignKey(
        "inspections.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("考核的冬春火灾防控行动"),
        help_text=_("检查计划完成率按这一行动的检查计划计算。"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = entered_by_field(_("发布人"))

    class Meta:
        verbose_name = verbose_name_plural = _("考核细则")
        ordering = ["-year", "county__name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="assessment_scheme_one_per_county_year")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class AssessmentItem(models.Model):
    class Kind(models.TextChoices):
        AUTO = "auto", _("自动计分")
        MANUAL = "manual", _("人工评分")

    scheme = models.ForeignKey(
        AssessmentScheme, models.CASCADE, related_name="items", verbose_name=_("考核细则")
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("考核项目"), max_length=100)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    kind = models.CharField(_("计分方式"), max_length=8, choices=Kind.choices)
    metric = models.CharField(_("自动计分依据"), max_length=24, choices=Metric.choices, blank=True)
    deduct_per_unit = models.DecimalField(
        _("每处（起、人、件）扣分"),
        max_digits=5,
        decimal_places=1,
        default=0,
        help_text=_("按数量扣分的项目：每处逾期隐患、每起火灾、每人伤亡、每件装备缺口扣的分，扣完为止。"),
    )
    standard = models.TextField(_("评分标准"), blank=True)
    evidence_required = models.BooleanField(_("须上传佐证材料"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("考核项目")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="auto") | ~models.Q(metric=""),
                name="assessment_auto_item_has_metric",
            ),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="assessment_item_points_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class ItemScore(models.Model):
    """One item of one township: its self-assessment, the center's score, and, for an automatic item
    once the scheme is published, the points as they were computed then."""

    item = models.ForeignKey(
        AssessmentItem, models.CASCADE, related_name="scores", verbose_name=_("考核项目")
    )
    township = models.ForeignKey(
        "townships.Township", models.CASCADE, related_name="assessment_scores", verbose_name=_("乡镇")
    )
    self_points = models.DecimalField(_("自评得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    self_note = models.TextField(_("自评说明"), blank=True)
    evidence = models.FileField(
        _("佐证材料"),
        upload_to=RandomName("assessments"),
        max_length=200,
        blank=True,
        validators=[validate_document],
    )
    self_by = entered_by_field(_("自评人"))
    self_at = models.DateTimeField(_("自评时间"), null=True, blank=True)
    center_points = models.DecimalField(_("考评得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    center_note = models.TextField(_("考评意见"), blank=True)
    center_by = entered_by_field(_("考评人"))
    center_at = models.DateTimeField(_("考评时间"), null=True, blank=True)
    auto_points = models.DecimalField(_("自动得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    auto_basis = models.CharField(_("计分依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("考核得分")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "township"], name="assessment_score_once_per_item_township"
            )
        ]

    def __str__(self) -> str:
        return f"{self.township} · {self.item}"
