from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomesConfig(AppConfig):
    """Each role's home page (township, police station, premises) and the 责任倒查 pages."""

    name = "homes"
    verbose_name = _("工作台与责任倒查")
