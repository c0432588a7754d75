from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo county (民权县), loaded through every app's services."""

    name = "demo"
    verbose_name = _("演示数据")
