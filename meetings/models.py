from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import entered_by_field
from core.models import AuditedModel, audited_history
from core.uploads import RandomName, validate_document
from townships.models import County, CountyDepartment, Township


class Meeting(AuditedModel):
    county = models.ForeignKey(County, models.PROTECT, related_name="meetings", verbose_name=_("县"))
    title = models.CharField(_("会议名称"), max_length=200)
    held_at = models.DateTimeField(_("召开时间"))
    chair = models.CharField(_("主持/讲话领导"), max_length=50)
    chair_title = models.CharField(_("职务"), max_length=80, blank=True)
    main_venue = models.CharField(_("主会场"), max_length=120)
    sub_venues = models.TextField(_("分会场"), blank=True, help_text=_("每行一个分会场。"))
    summary = models.TextField(_("会议纪要"), blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("会议")
        ordering = ["-held_at"]
        constraints = [
            models.UniqueConstraint(fields=["county", "title", "held_at"], name="meeting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.held_at:%Y-%m-%d} {self.title}"


class Attendance(models.Model):
    class Venue(models.TextChoices):
        MAIN = "main", _("主会场")
        SUB = "sub", _("分会场")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendances", verbose_name=_("会议"))
    township = models.ForeignKey(
        Township, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("乡镇")
    )
    unit = models.CharField(_("单位"), max_length=100)
    person = models.CharField(_("参会人"), max_length=50)
    position = models.CharField(_("职务"), max_length=80, blank=True)
    venue = models.CharField(_("会场"), max_length=4, choices=Venue.choices)
    venue_name = models.CharField(_("会场名称"), max_length=120, blank=True)
    present = models.BooleanField(_("到会"), default=True)
    history = audited_history()

    class Meta:
        verbose_name = verbose_name_plural = _("参会")
        ordering = ["meeting", "venue", "unit"]

    def __str__(self) -> str:
        return f"{self.unit} {self.person}"


class Statement(models.Model):
    class Kind(models.TextChoices):
        TYPICAL = "typical", _("典型发言")
        COMMITMENT = "commitment", _("表态发言")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="statements", verbose_name=_("会议"))
    township = models.ForeignKey(Township, models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    kind = models.CharField(_("发言类型"), max_length=12, choices=Kind.choices)
    speaker = models.CharField(_("发言人"), max_length=50, blank=True)
    summary = models.TextField(_("发言摘要"))
    history = audited_history()

    class Meta:
        verbose_name = verbose_name_plural = _("典型和表态发言")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return f"{self.township} {self.get_kind_display()}"


class Directive(AuditedModel):
    class Category(models.TextChoices):
        RESPONSIBILITY = "responsibility", _("消防安全责任制")
        HAZARDS = "hazards", _("隐患自查自除")
        TRACE_BACK = "trace_back", _("责任倒查")
        GRID = "grid", _("网格化管理")
        BRIGADE = "brigade", _("专职队伍建设")
        EQUIPMENT = "equipment", _("装备配备")
        FUNDING = "funding", _("人员和办公经费")
        GUIDANCE = "guidance", _("检查指导服务")

    class Priority(models.TextChoices):
        HIGH = "high", _("重点")
        NORMAL = "normal", _("一般")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="directives", verbose_name=_("会议"))
    number = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    text = models.TextField(_("工作要求"))
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)

    class Meta:
        verbose_name = verbose_name_plural = _("会议部署")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="directive_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.get_category_display()}"


class Assignment(AuditedModel):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("已分解")
        IN_PROGRESS = "in_progress", _("推进中")
        CLOSED = "closed", _("已完成")

    directive = models.ForeignKey(
        Directive, models.CASCADE, related_name="assignments", verbose_name=_("会议部署")
    )
    # Held by a township or by a county department (县直部门), never both: the townships' figures and
    # ranking count only the townships' (meetings.selectors).
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, related_name="assignments", verbose_name=_("乡镇")
    )
    department = models.ForeignKey(
        CountyDepartment,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("县直部门"),
    )
    deadline = models.DateField(_("完成时限"), db_index=True)
    responsible_person = models.CharField(_("责任人"), max_length=50)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ASSIGNED, db_index=True
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)], editable=False
    )
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("任务分解")
        ordering = ["deadline", "township"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "township"], name="assignment_unique_township"),
            models.UniqueConstraint(fields=["directive", "department"], name="assignment_unique_department"),
            models.CheckConstraint(
                condition=(Q(township__isnull=False) & Q(department__isnull=True))
                | (Q(township__isnull=True) & Q(department__isnull=False)),
                name="assignment_township_or_department",
            ),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="assignment_percent_max"),
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_on__isnull=False))
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="assignment_closed_iff_closed_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder}：{self.directive}"

    @property
    def holder(self) -> Township | CountyDepartment:
        """The township or county department that answers for it."""
        return self.township if self.township_id else self.department


class ProgressReport(AuditedModel):
    # Evidence belongs to a township's assignment, not to a premises (core.views.protected_media).
    media_scope = ("assignment__township_id", None)

    assignment = models.ForeignKey(
        Assignment, models.CASCADE, related_name="progress_reports", verbose_name=_("任务")
    )
    reported_on = models.DateField(_("报告日期"))
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), validators=[MaxValueValidator(100)])
    evidence = models.FileField(
        _("佐证材料"), upload_to=RandomName("progress"), blank=True, validators=[validate_document]
    )
    reported_by = entered_by_field(_("报告人"))

    class Meta:
        verbose_name = verbose_name_plural = _("进展报告")
        ordering = ["assignment", "reported_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_max"),
        ]

    def __str__(self) -> str:
        return f"{self.reported_on} {self.percent}%"
