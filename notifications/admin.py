from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.admin import REFUSALS, ReadOnlyAdmin, refusal_text
from core.exceptions import AccessDenied
from core.models import Notification
from notifications import selectors, services
from notifications.models import ChannelEndpoint, ChannelPreference, Delivery


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Reminders are written only by the reminder rules and events; the admin reads them."""

    list_display = [
        "created_at",
        "recipient",
        "rule",
        "period",
        "shown_title",
        "urgent",
        "read_at",
        "dispatched_at",
    ]
    list_filter = ["rule", "urgent", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "title_en", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]

    @admin.display(description=_("标题"), ordering="title")
    def shown_title(self, obj):
        """In the reader's language, like the inbox (the detail page shows both as stored)."""
        return selectors.notification_title(obj)


def masked_address(url: str) -> str:
    """The address without its key: scheme and host only."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "—"


class ChannelEndpointForm(forms.ModelForm):
    """The webhook address (it holds the robot's key) and the secret are write-only: the page never
    shows them back, and leaving them empty keeps what is stored."""

    url = forms.CharField(
        label=_("接口地址"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "size": 80}),
        help_text=_(
            "群机器人的 Webhook 地址（含 key 或 access_token），或短信接口地址。修改时留空表示不变。"
        ),
    )
    secret = forms.CharField(
        label=_("密钥"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "钉钉加签密钥或短信 AccessKey Secret；修改时留空表示不变，也可由服务器配置 CHANNEL_SECRETS 提供。"
        ),
    )

    class Meta:
        model = ChannelEndpoint
        fields = [
            "kind",
            "name",
            "township",
            "url",
            "secret",
            "access_key_id",
            "sign_name",
            "template_code",
            "enabled",
        ]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url:
            if self.instance.pk and self.instance.url:
                return self.instance.url
            raise forms.ValidationError(_("请填写接口地址。"))
        forms.URLField().clean(url)
        return url

    def clean_secret(self):
        return self.cleaned_data["secret"].strip() or (self.instance.secret if self.instance.pk else "")


@admin.register(ChannelEndpoint)
class ChannelEndpointAdmin(admin.ModelAdmin):
    form = ChannelEndpointForm
    list_display = ["name", "kind", "township", "address", "has_secret", "enabled", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "township__name"]

    @admin.display(description=_("接口地址"))
    def address(self, obj):
        return masked_address(obj.url)

    @admin.display(description=_("已设密钥"), boolean=True)
    def has_secret(self, obj):
        return bool(obj.secret)

    def save_model(self, request, obj, form, change):
        try:
            services.channel_endpoint_save(endpoint=obj, by=request.user)
        except AccessDenied as exc:
            raise PermissionDenied(refusal_text(exc)) from exc

    def delete_model(self, request, obj):
        try:
            services.channel_endpoint_delete(endpoint=obj, by=request.user)
        except AccessDenied as exc:
            raise PermissionDenied(refusal_text(exc)) from exc


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "robot", "digest"]
    list_filter = ["sms", "robot", "digest"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in services.PREFERENCE_FIELDS}
        try:
            services.channel_preference_set(user=obj.user, data=data, by=request.user)
        except REFUSALS as exc:
            raise PermissionDenied(refusal_text(exc)) from exc


@admin.action(description=_("重新发送所选消息"))
def resend(modeladmin, request, queryset):
    rows = list(queryset)
    try:
        done = services.deliveries_resend(deliveries=rows, by=request.user)
    except AccessDenied as exc:
        modeladmin.message_user(request, refusal_text(exc), level=messages.ERROR)
        return
    modeladmin.message_user(request, _("已重新排队 %(n)s 条（只重发失败或已放弃的）。") % {"n": done})


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """What left the site, channel by channel; failures first, each with its reason."""

    deletable = False
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "title",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "channel", "urgent"]
    search_fields = ["title", "recipient__username", "address"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    actions = [resend]
    # The address of a group robot is its endpoint, never the webhook itself.
    readonly_fields = [f.name for f in Delivery._meta.fields]
