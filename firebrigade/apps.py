from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FirebrigadeConfig(AppConfig):
    name = "firebrigade"
    verbose_name = _("乡镇专职消防队")
