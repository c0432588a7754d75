"""REST API of the meetings app under /api/v1/: 推进会 (meetings), 会议部署 (directives), 任务分解
(assignments) and 进展报告 (progress-reports).

Reads go through meetings.selectors (scoped to the user); every write is one call of a
meetings.services function. Objects outside the user's scope are not in the queryset (404); a write
naming a county or township outside it is forbidden (403); a refused rule is a 400.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ensure_township_writable
from core.exceptions import ApplicationError
from core.models import Role
from core.viewsets import ServiceViewSet
from meetings import selectors, services
from meetings.filters import AssignmentFilter, DirectiveFilter, MeetingFilter, ProgressReportFilter
from meetings.models import Assignment, Directive, Meeting, ProgressReport
from townships.models import Township

# 县领导/县消防工作办公室 and the guidance center write meetings, directives and assignments.
COUNTY_OFFICE = frozenset({Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER})
# Progress is reported by the township (its lead) or, for it, by the guidance center.
REPORTERS = frozenset({Role.TOWNSHIP_LEAD, Role.GUIDANCE_CENTER})
# Closing (办结): the county office, or the township lead of the assignment's township.
CLOSERS = frozenset({Role.COUNTY_OFFICIAL, Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD})


def ensure_county_office(user, county_id: int) -> None:
    """Writes about a county's meetings are the county office's own: another county's official → 403."""
    try:
        services.county_office_check(by=user, county_id=county_id)
    except ApplicationError as exc:
        raise exceptions.PermissionDenied(exc.message) from exc


class SubVenuesField(serializers.ListField):
    """分会场 as a list of names (stored one per line in `Meeting.sub_venues`)."""

    child = serializers.CharField(max_length=120)

    def to_representation(self, data):
        if isinstance(data, str):
            data = data.splitlines()
        return super().to_representation(data)


# -- output serializers ---------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)
    sub_venues = SubVenuesField(read_only=True)
    directive_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "county",
            "county_name",
            "title",
            "held_at",
            "chair",
            "chair_title",
            "main_venue",
            "sub_venues",
            "summary",
            "source",
            "directive_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DirectiveSerializer(serializers.ModelSerializer):
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)

    class Meta:
        model = Directive
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "number",
            "category",
            "category_display",
            "text",
            "priority",
            "priority_display",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="directive.meeting_id", read_only=True)
    meeting_title = serializers.CharField(source="directive.meeting.title", read_only=True)
    directive_number = serializers.IntegerField(source="directive.number", read_only=True)
    directive_category = serializers.CharField(source="directive.category", read_only=True)
    directive_text = serializers.CharField(source="directive.text", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text=_("已过完成时限且未办结（按今天计）。"))
    is_closed_late = serializers.BooleanField(read_only=True, help_text=_("办结日期晚于完成时限。"))

    class Meta:
        model = Assignment
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "directive",
            "directive_number",
            "directive_category",
            "directive_text",
            "township",
            "township_name",
            "deadline",
            "responsible_person",
            "status",
            "status_display",
            "progress_percent",
            "closed_on",
            "is_overdue",
            "is_closed_late",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    township = serializers.IntegerField(source="assignment.township_id", read_only=True)
    township_name = serializers.CharField(source="assignment.township.name", read_only=True)
    directive = serializers.IntegerField(source="assignment.directive_id", read_only=True)
    directive_number = serializers.IntegerField(source="assignment.directive.number", read_only=True)
    meeting = serializers.IntegerField(source="assignment.directive.meeting_id", read_only=True)
    reported_by_name = serializers.CharField(source="reported_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "assignment",
            "township",
            "township_name",
            "directive",
            "directive_number",
            "meeting",
            "reported_on",
            "text",
            "percent",
            "evidence",
            "reported_by",
            "reported_by_name",
            "created_at",
        ]
        read_only_fields = fields


# -- input serializers (validate shapes; the services own the rules) ------------------------------


class MeetingCreateSerializer(serializers.ModelSerializer):
    sub_venues = SubVenuesField(required=False, default=list, help_text=_("分会场名称列表。"))

    class Meta:
        model = Meeting
        fields = [
            "county",
            "title",
            "held_at",
            "chair",
            "chair_title",
            "main_venue",
            "sub_venues",
            "summary",
            "source",
        ]


class DirectiveCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Directive
        fields = ["meeting", "category", "text", "priority"]
        extra_kwargs = {"priority": {"default": Directive.Priority.NORMAL}}


class DirectiveAssignSerializer(serializers.Serializer):
    townships = serializers.PrimaryKeyRelatedField(
        queryset=Township.objects.all(), many=True, allow_empty=False, help_text=_("乡镇编号列表。")
    )
    deadline = serializers.DateField(help_text=_("完成时限。"))
    responsible_person = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("责任人；不填则为各乡镇主要领导。")
    )


class ProgressInputSerializer(serializers.Serializer):
    reported_on = serializers.DateField(required=False, help_text=_("报告日期；不填为今天。"))
    text = serializers.CharField(help_text=_("进展情况。"))
    percent = serializers.IntegerField(min_value=0, max_value=100, help_text=_("完成进度（%）。"))
    evidence = serializers.FileField(required=False, help_text=_("佐证材料。"))


class ProgressReportCreateSerializer(ProgressInputSerializer):
    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.all())


class CloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField(required=False, help_text=_("办结日期；不填为今天。"))


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH, help_text=_("重新打开的理由。"))


class ExtendDeadlineSerializer(serializers.Serializer):
    new_deadline = serializers.DateField(help_text=_("新的完成时限。"))
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH, help_text=_("延期理由。"))


# -- viewsets -------------------------------------------------------------------------------------


class MeetingViewSet(ServiceViewSet):
    """推进会. Every role reads the meetings of its county; the county office creates them.

    Meetings are create-only here: no service edits a held meeting (the admin does, for corrections).
    """

    queryset = Meeting.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = MeetingSerializer
    input_serializers = {"create": MeetingCreateSerializer}
    filterset_class = MeetingFilter
    search_fields = ["title", "chair", "main_venue"]
    ordering_fields = ["held_at", "title"]
    write_roles = COUNTY_OFFICE

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        ensure_county_office(request.user, data["county"].pk)
        meeting = services.meeting_create(**data, by=request.user)
        return self.answer(meeting, status_code=status.HTTP_201_CREATED)


class DirectiveViewSet(ServiceViewSet):
    """会议部署. Every role reads those of its county's meetings; the county office adds them and breaks
    them down to townships (`assign`)."""

    queryset = Directive.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = DirectiveSerializer
    input_serializers = {"create": DirectiveCreateSerializer, "assign": DirectiveAssignSerializer}
    filterset_class = DirectiveFilter
    search_fields = ["text"]
    ordering_fields = ["number", "category", "priority", "meeting__held_at"]
    write_roles = COUNTY_OFFICE
    action_roles = {"assign": COUNTY_OFFICE}

    def get_queryset(self):
        return selectors.directive_list(user=self.request.user)

    @extend_schema(request=DirectiveCreateSerializer, responses={201: DirectiveSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        ensure_county_office(request.user, data["meeting"].county_id)
        directive = services.directive_add(**data, by=request.user)
        return self.answer(directive, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=DirectiveAssignSerializer, responses={201: AssignmentSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """任务分解: one assignment per township, all or nothing."""
        directive = self.get_object()
        ensure_county_office(request.user, directive.meeting.county_id)
        data = self.validated_input()
        for township in data["townships"]:
            ensure_township_writable(request.user, township.pk)
        created = services.directive_assign(directive=directive, by=request.user, **data)
        assignments = selectors.assignment_list(user=request.user).filter(pk__in=[a.pk for a in created])
        context = self.get_serializer_context()
        return Response(
            AssignmentSerializer(assignments, many=True, context=context).data, status.HTTP_201_CREATED
        )


class AssignmentViewSet(ServiceViewSet):
    """任务分解, scoped by township. Assignments come from `directives/{id}/assign/`; their state moves
    only through the actions below."""

    queryset = Assignment.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = AssignmentSerializer
    input_serializers = {
        "report_progress": ProgressInputSerializer,
        "close": CloseSerializer,
        "reopen": ReopenSerializer,
        "extend_deadline": ExtendDeadlineSerializer,
    }
    filterset_class = AssignmentFilter
    search_fields = ["responsible_person", "directive__text", "township__name"]
    ordering_fields = ["deadline", "status", "progress_percent", "township__name", "closed_on"]
    write_roles = COUNTY_OFFICE  # no plain create/update/delete is routed: these roles get 405
    action_roles = {
        "report_progress": REPORTERS,
        "close": CLOSERS,
        "reopen": COUNTY_OFFICE,
        "extend_deadline": COUNTY_OFFICE,
    }

    def get_queryset(self):
        return selectors.assignment_list(user=self.request.user)

    def _writable_object(self) -> Assignment:
        assignment = self.get_object()
        ensure_township_writable(self.request.user, assignment.township_id)
        return assignment

    @extend_schema(request=ProgressInputSerializer, responses={201: ProgressReportSerializer})
    @action(detail=True, methods=["post"], url_path="report-progress")
    def report_progress(self, request, pk=None):
        """报告进展 (the township lead of the assignment's township, or the guidance center)."""
        assignment = self._writable_object()
        data = self.validated_input()
        report = services.assignment_report_progress(
            assignment=assignment,
            reported_on=data.get("reported_on") or services.local_today(),
            text=data["text"],
            percent=data["percent"],
            evidence=data.get("evidence"),
            by=request.user,
        )
        fresh = selectors.progress_report_list(user=request.user).get(pk=report.pk)
        context = self.get_serializer_context()
        return Response(ProgressReportSerializer(fresh, context=context).data, status.HTTP_201_CREATED)

    @extend_schema(request=CloseSerializer, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """办结 (the county office, or the township lead of the assignment's township)."""
        assignment = self._writable_object()
        data = self.validated_input()
        closed_on = data.get("closed_on") or services.local_today()
        services.assignment_close(assignment=assignment, closed_on=closed_on, by=request.user)
        return self.answer(assignment)

    @extend_schema(request=ReopenSerializer, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """重新打开 a closed assignment (the county office)."""
        assignment = self._writable_object()
        data = self.validated_input()
        services.assignment_reopen(assignment=assignment, reason=data["reason"], by=request.user)
        return self.answer(assignment)

    @extend_schema(request=ExtendDeadlineSerializer, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="extend-deadline")
    def extend_deadline(self, request, pk=None):
        """延期 (the county office); the reason is kept in the history."""
        assignment = self._writable_object()
        data = self.validated_input()
        services.assignment_extend_deadline(
            assignment=assignment, new_deadline=data["new_deadline"], reason=data["reason"], by=request.user
        )
        return self.answer(assignment)


class ProgressReportViewSet(ServiceViewSet):
    """进展报告, scoped by the assignment's township. Created like `assignments/{id}/report-progress/`;
    a report is a record: no update or delete."""

    queryset = ProgressReport.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = ProgressReportSerializer
    input_serializers = {"create": ProgressReportCreateSerializer}
    filterset_class = ProgressReportFilter
    search_fields = ["text"]
    ordering_fields = ["reported_on", "percent", "created_at"]
    write_roles = REPORTERS

    def get_queryset(self):
        return selectors.progress_report_list(user=self.request.user)

    @extend_schema(request=ProgressReportCreateSerializer, responses={201: ProgressReportSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        assignment = data["assignment"]
        ensure_township_writable(request.user, assignment.township_id)
        report = services.assignment_report_progress(
            assignment=assignment,
            reported_on=data.get("reported_on") or services.local_today(),
            text=data["text"],
            percent=data["percent"],
            evidence=data.get("evidence"),
            by=request.user,
        )
        return self.answer(report, status_code=status.HTTP_201_CREATED)


ROUTES = [
    ("meetings", MeetingViewSet, "meeting"),
    ("directives", DirectiveViewSet, "directive"),
    ("assignments", AssignmentViewSet, "assignment"),
    ("progress-reports", ProgressReportViewSet, "progress-report"),
]
