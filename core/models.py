from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    COUNTY_OFFICIAL = "county_official", _("县领导/县消防工作办公室")
    GUIDANCE_CENTER = "guidance_center", _("消防安全检查指导服务中心")
    TOWNSHIP_LEAD = "township_lead", _("乡镇消防专干/分管副职")
    POLICE_STATION = "police_station", _("派出所")
    PREMISES_RESPONSIBLE = "premises_responsible", _("单位消防安全责任人")


class UserProfile(models.Model):
    """Ties a user to the part of the county they answer for; scoping reads only this."""

    user = models.OneToOneField("auth.User", models.CASCADE, related_name="profile", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    county = models.ForeignKey(
        "townships.County", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("县")
    )
    township = models.ForeignKey(
        "townships.Township",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="user_profiles",
        verbose_name=_("乡镇"),
    )
    police_station = models.ForeignKey(
        "townships.PoliceStation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="user_profiles",
        verbose_name=_("派出所"),
    )
    premises = models.ForeignKey(
        "townships.Premises",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="user_profiles",
        verbose_name=_("单位"),
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
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
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
