from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("公共")

    def ready(self):
        # Django's place for connecting signals: the module needs the models loaded.
        from core import signals  # noqa: F401 - connects the audit signal

        # Each app's importable kinds register themselves (core.imports.registry).
        autodiscover_modules("imports")
