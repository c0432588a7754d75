from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadersConfig(AppConfig):
    """What county leaders read: the dashboard (ranking, charts) and the 通报, from every app's figures."""

    name = "leaders"
    verbose_name = _("县级总览与通报")
