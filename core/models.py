import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditedHistory(models.Model):
    """Base of every history table (django-simple-history): who and when come with the library;
    this adds from which address. Filled by core.signals from the request being served."""

    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        abstract = True


def audited_history(**options) -> HistoricalRecords:
    """The history of an audited model: simple-history's table plus AuditedHistory's address."""
    return HistoricalRecords(bases=[AuditedHistory], **options)


class AuditedModel(TimeStampedModel):
    """A record the county keeps: timestamps, and every change in its history table.

    `inherit=True` gives each concrete subclass the history model, table and manager it would get
    from its own `history = audited_history()`. A model whose history is tuned (m2m_fields,
    excluded_fields) extends TimeStampedModel and declares its own instead: simple-history refuses
    two registrations on one model.
    """

    history = audited_history(inherit=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    COUNTY_OFFICIAL = "county_official", _("县领导/县消防工作办公室")
    GUIDANCE_CENTER = "guidance_center", _("消防安全检查指导服务中心")
    TOWNSHIP_LEAD = "township_lead", _("乡镇消防专干/分管副职")
    POLICE_STATION = "police_station", _("派出所")
    PREMISES_RESPONSIBLE = "premises_responsible", _("单位消防安全责任人")
    FIRE_RESCUE = "fire_rescue", _("县消防救援大队")
    COUNTY_DEPARTMENT = "county_department", _("县直部门")
    GRID_MEMBER = "grid_member", _("网格员")


def _scope_link(to: str, verbose_name, related_name: str = "user_profiles") -> models.ForeignKey:
    """A part of the county a profile answers for: optional, as each role is scoped by its own link
    (see the constraints); a place cannot be deleted while someone answers for it."""
    return models.ForeignKey(
        to, models.PROTECT, null=True, blank=True, related_name=related_name, verbose_name=verbose_name
    )


class UserProfile(models.Model):
    """Ties a user to the part of the county they answer for; scoping reads only this."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    county = _scope_link("townships.County", _("县"), related_name="+")
    township = _scope_link("townships.Township", _("乡镇"))
    police_station = _scope_link("townships.PoliceStation", _("派出所"))
    premises = _scope_link("townships.Premises", _("单位"))
    department = _scope_link("townships.CountyDepartment", _("县直部门"))
    # A grid member's entry in the grid registry: their grid (and so its premises) is their scope.
    grid_member = _scope_link("townships.GridMember", _("网格员"))
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    is_principal_leader = models.BooleanField(
        _("乡镇主要领导"),
        default=False,
        help_text=_("乡镇（街道办）主要领导：隐患逾期升级提醒的接收人。"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("用户角色")
        constraints = [
            # Each role carries exactly the link that scopes it.
            models.CheckConstraint(
                condition=~models.Q(role="township_lead") | models.Q(township__isnull=False),
                name="profile_township_lead_has_township",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="police_station") | models.Q(police_station__isnull=False),
                name="profile_police_has_station",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="premises_responsible") | models.Q(premises__isnull=False),
                name="profile_responsible_has_premises",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="county_department") | models.Q(department__isnull=False),
                name="profile_department_has_department",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="grid_member") | models.Q(grid_member__isnull=False),
                name="profile_grid_member_has_registry_entry",
            ),
            # The fire rescue authority answers for one county: it reads that county's hazards only.
            models.CheckConstraint(
                condition=~models.Q(role="fire_rescue") | models.Q(county__isnull=False),
                name="profile_fire_rescue_has_county",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class Notification(models.Model):
    """One reminder to one person. (rule, object, recipient, period) is the idempotency key:
    however often beat fires or a batch is redelivered, a reminder exists once.

    Its title and text are written once in each language (`title`/`text` in Chinese, `title_en`/
    `text_en` in English); what a reader sees is notifications.selectors.notification_title /
    notification_text in the reader's language.

    The row is the in-app inbox item. What leaves the site (email, group robots, SMS) is a delivery
    of the notifications app: at once when `urgent`, otherwise in the person's daily digest;
    `dispatched_at` says when it was handed to those channels."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    rule = models.CharField(_("提醒规则"), max_length=40, db_index=True)
    content_type = models.ForeignKey(ContentType, models.CASCADE, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    subject = GenericForeignKey("content_type", "object_id")
    period = models.CharField(_("周期"), max_length=20)
    township = models.ForeignKey(
        "townships.Township",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乡镇"),
    )
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    # The same words in English, written with the Chinese; blank on rows written before English was
    # stored, which then read in Chinese (notifications.selectors.notification_title / _text).
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True, default="")
    text_en = models.TextField(_("英文内容"), blank=True, default="")
    url = models.CharField(_("链接"), max_length=200, blank=True)
    urgent = models.BooleanField(_("立即推送"), default=False)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("推送时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "content_type", "object_id", "recipient", "period"],
                name="notification_once_per_rule_object_recipient_period",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["recipient"],
                name="notification_undispatched",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


def import_upload_to(instance, filename: str) -> str:
    """An uploaded import file: `imports/<random>` — nothing from the user's file name."""
    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """One uploaded Excel file: its dry-run preview, then (once confirmed) the all-or-nothing import.

    Rows run through the domain services (core.imports); `result` keeps every row's outcome.
    """

    class Kind(models.TextChoices):
        PREMISES = "premises", _("社会单位")
        MEMBERS = "members", _("专职队员")
        EQUIPMENT = "equipment", _("消防装备")
        FUNDING = "funding", _("经费预算")
        INSPECTIONS = "inspections", _("检查记录")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        PREVIEW = "preview", _("待确认")
        CONFIRMED = "confirmed", _("已导入")
        FAILED = "failed", _("未通过")

    class Action(models.TextChoices):
        PREVIEW = "preview", _("预览")
        CONFIRM = "confirm", _("导入")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="import_jobs", verbose_name=_("上传人")
    )
    kind = models.CharField(_("数据类型"), max_length=16, choices=Kind.choices)
    action = models.CharField(_("当前操作"), max_length=10, choices=Action.choices, default=Action.PREVIEW)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    file = models.FileField(_("上传文件"), upload_to=import_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    result = models.JSONField(_("逐行结果"), default=dict, blank=True)
    # Failed for a system reason (interrupted, never picked up, crashed), not for its file or rows:
    # the kept file can be run again as it is (core.imports.services.import_job_retry).
    retryable = models.BooleanField(_("可重新运行"), default=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    # When the current action was claimed: a run older than IMPORT_JOB_STALE_MINUTES was interrupted.
    # When its pending action (preview or confirm) was queued: a job queued long ago was lost on
    # its way to a worker (core.imports.jobs.import_jobs_end_stale).
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Excel 导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="importjob_progress_max"),
            models.CheckConstraint(
                condition=models.Q(retryable=False) | models.Q(status="failed"),
                name="importjob_retryable_only_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}（{self.get_status_display()}）"


class IdempotencyRecord(models.Model):
    """An API POST sent with an `Idempotency-Key` (core.idempotency): claimed before the view runs,
    then the answer it gave, so that a retry of the same request gets that answer again and writes
    nothing. Kept a day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    # None while the first request is still being answered.
    status_code = models.PositiveSmallIntegerField(_("应答状态"), null=True, blank=True)
    content_type = models.CharField(_("应答类型"), max_length=100, blank=True)
    content = models.BinaryField(_("应答内容"), blank=True, default=b"")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("幂等请求")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_key_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ApiToken(models.Model):
    """A key for `Authorization: Token <key>`, given at `POST /api/v1/auth/token/`. Only its SHA-256
    digest is kept (a copy of the database lets no one in) with the first characters to find it by.
    It expires (API_TOKEN_TTL_DAYS) and can be revoked by its owner or the guidance center; each
    login gets its own, so one phone's can be revoked without logging out the others."""

    PREFIX_LENGTH = 10

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("名称"), max_length=60, blank=True)
    prefix = models.CharField(_("前缀"), max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class ScanCode(AuditedModel):
    """一店一码: a QR code stuck on a premises or an equipment item. It carries `token`, an opaque
    random string (never a database id), in a URL /q/<token>; revoking it (a label torn off, copied,
    or lost) refuses the token for good, and a new code gets a new token. Each app keeps the codes
    of its own records (townships.PremisesCode, firebrigade.EquipmentCode), at most one in force
    per record (a constraint of each)."""

    token = models.CharField(_("令牌"), max_length=40, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发放人"),
        editable=False,
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作废人"),
        editable=False,
    )

    class Meta:
        abstract = True

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None
