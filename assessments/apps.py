from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """The county's annual fire-safety assessment of its townships (消防工作考核)."""

    name = "assessments"
    verbose_name = _("考核")
