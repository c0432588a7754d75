"""What leaves the site: the channels a county configures (group robots, an SMS gateway), each
person's choice of channels, and one delivery per message and channel with its fate."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    SMS = "sms", _("短信")


ROBOTS = (Channel.WECOM, Channel.DINGTALK)


class ChannelEndpoint(models.Model):
    """A group robot of a township's (or the county's) work group, or the SMS gateway.

    Not audited on purpose: the webhook address carries its key, and the secrets must not be copied
    into history tables. The admin never shows them back."""

    kind = models.CharField(
        _("渠道"),
        max_length=10,
        choices=[(c.value, c.label) for c in (Channel.WECOM, Channel.DINGTALK, Channel.SMS)],
    )
    name = models.CharField(_("名称"), max_length=60)
    township = models.ForeignKey(
        "townships.Township",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乡镇"),
        help_text=_("群机器人：该乡镇（街道办）工作群；留空为县级工作群。短信：留空为全县通用。"),
    )
    url = models.URLField(
        _("接口地址"),
        max_length=500,
        help_text=_("群机器人的 Webhook 地址（含 key 或 access_token），或短信接口地址。"),
    )
    secret = models.CharField(
        _("密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉加签密钥（SEC 开头）或短信 AccessKey Secret。留空则取服务器配置 CHANNEL_SECRETS。"),
    )
    access_key_id = models.CharField(_("AccessKey ID"), max_length=100, blank=True)
    sign_name = models.CharField(_("短信签名"), max_length=40, blank=True)
    template_code = models.CharField(_("短信模板编号"), max_length=40, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("推送渠道")
        ordering = ["kind", "township__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "township"],
                name="channel_endpoint_one_per_kind_and_township",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"


class ChannelPreference(models.Model):
    """How one person wants to be reached. Without a row the defaults apply."""

    class Sms(models.TextChoices):
        NEVER = "never", _("不发短信")
        URGENT = "urgent", _("仅紧急事项")
        ALL = "all", _("全部（含每日汇总）")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="channel_preference", verbose_name=_("用户")
    )
    email = models.BooleanField(_("邮件"), default=True)
    sms = models.CharField(_("短信"), max_length=8, choices=Sms.choices, default=Sms.URGENT)
    robot = models.BooleanField(
        _("工作群机器人@我"), default=True, help_text=_("在本乡镇（或县级）工作群中由机器人@本人。")
    )
    digest = models.BooleanField(
        _("每日汇总"),
        default=True,
        help_text=_("日常提醒每天汇总成一条发送；紧急事项（重大隐患、复查不合格、新任务等）仍立即发送。"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("接收方式")

    def __str__(self) -> str:
        return str(self.user)


class Delivery(models.Model):
    """One message on one channel to one address. (channel, address, key) is the once-only key:
    retries, redelivered tasks and reruns never make a second one."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败待重试")
        GIVEN_UP = "given_up", _("已放弃")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    endpoint = models.ForeignKey(
        ChannelEndpoint, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("推送渠道")
    )
    address = models.CharField(_("发送地址"), max_length=200)
    key = models.CharField(_("消息键"), max_length=120)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("接收人"),
    )
    notification = models.ForeignKey(
        "core.Notification",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("提醒"),
    )
    mentions = models.JSONField(_("@手机号"), default=list, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), db_index=True)
    lease_until = models.DateTimeField(_("发送租约到期"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("消息推送")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address", "key"], name="delivery_once_per_channel_address_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="delivery_due",
                condition=models.Q(status__in=["queued", "failed", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.title}"
