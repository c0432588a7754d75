"""Extra factories for the meetings tests (tests/factories.py is shared and not edited here)."""

import datetime as dt

import factory

from meetings.models import ProgressReport
from tests.factories import AssignmentFactory


class ProgressReportFactory(factory.django.DjangoModelFactory):
    """A report written straight to the database (for reads); services are tested separately."""

    class Meta:
        model = ProgressReport

    assignment = factory.SubFactory(AssignmentFactory)
    reported_on = dt.date(2021, 12, 1)
    text = "已完成部分工作"
    percent = 50
