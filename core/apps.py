from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True  # core's own, among the configs this module holds
    name = "core"
    # What the admin heads its models with: user profiles, reminders, imports.
    verbose_name = _("账号与系统")

    def ready(self):
        # Loaded once the models are: each app's `signals` connects its receivers (core's: the
        # audit trail's IP address) and each app's importable kinds register themselves
        # (core.imports.registry), and each app's `events` subscribes to what the services
        # announce (core.events); each app's `hooks` plugs into a lower app's extension points (the
        # assessment into the dashboard's scoring).
        autodiscover_modules("signals", "imports", "events", "hooks")


class LoginSecurityConfig(AxesAppConfig):
    """django-axes (the login lockout) under a name the guidance center reads in the admin; its
    models' names are translated in locale/zh_Hans."""

    default = False
    verbose_name = _("登录安全")
