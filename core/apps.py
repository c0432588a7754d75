from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("公共")

    def ready(self):
        # Django's place for connecting signals: these modules need the models loaded.
        from core import list_cache, signals  # noqa: F401 - signals connects the audit signal

        list_cache.connect()
        # Each app's importable kinds register themselves (core.imports.registry).
        autodiscover_modules("imports")
