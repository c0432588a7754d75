"""The database holds the invariants even when the services are bypassed."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from meetings.models import Assignment, Directive, ProgressReport
from tests.factories import AssignmentFactory, DirectiveFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_a_second_assignment_of_a_directive_to_the_same_township(directive, chumiao):
    AssignmentFactory(directive=directive, township=chumiao)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            directive=directive, township=chumiao, deadline=dt.date(2022, 1, 31), responsible_person="某人"
        )
    assert Assignment.objects.count() == 1


def test_database_refuses_assignment_progress_above_100(directive, chumiao):
    a = AssignmentFactory(directive=directive, township=chumiao)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=a.pk).update(progress_percent=101)
    a.refresh_from_db()
    assert a.progress_percent == 0


def test_database_refuses_a_progress_report_above_100(directive, chumiao):
    a = AssignmentFactory(directive=directive, township=chumiao)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(assignment=a, reported_on=dt.date(2021, 12, 1), text="x", percent=101)
    assert not ProgressReport.objects.exists()


def test_database_refuses_a_closed_assignment_without_completion_date(directive, chumiao):
    a = AssignmentFactory(directive=directive, township=chumiao)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=a.pk).update(status=Assignment.Status.CLOSED)
    a.refresh_from_db()
    assert a.status == Assignment.Status.ASSIGNED


def test_database_refuses_a_completion_date_on_an_open_assignment(directive, chumiao):
    a = AssignmentFactory(directive=directive, township=chumiao)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=a.pk).update(closed_on=dt.date(2021, 12, 1))
    a.refresh_from_db()
    assert a.closed_on is None


def test_database_refuses_a_duplicate_directive_number_in_a_meeting(meeting):
    DirectiveFactory(meeting=meeting, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Directive.objects.create(meeting=meeting, number=1, category="grid", text="x")
    assert Directive.objects.count() == 1
