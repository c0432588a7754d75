from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("公共")

    def ready(self):
        from core import list_cache, signals  # noqa: F401 - signals connects the audit signal

        list_cache.connect()
