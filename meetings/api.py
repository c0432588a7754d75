"""REST API of the meetings app under /api/v1/: 推进会 (meetings), 会议部署 (directives), 任务分解
(assignments) and 进展报告 (progress-reports).

Reads go through meetings.selectors (scoped to the user, filtered by the resource's one FilterSet);
every write is one call of a meetings.services function. Objects outside the user's scope are not in
the queryset (404). Who may write is meetings.access, enforced by the services: a refusal is a 403 with
the policy's reason. Each write route names its rule in `route_checks`, which the route gate
(core.api.RolePermission) asks before any input is read, in the same words; a refused rule of the
process is a 400.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.answers import STAMPS, AnswerSerializer
from core.api import READ_ACTIONS, write_routes
from core.viewsets import ServiceCreateMixin, ServiceViewSet
from meetings import access, selectors, services
from meetings.filters import AssignmentFilter, DirectiveFilter, MeetingFilter, ProgressReportFilter
from meetings.models import Assignment, Directive, Meeting, ProgressReport
from townships.models import CountyDepartment, Township


class SubVenuesField(serializers.ListField):
    """分会场 as a list of names (stored one per line in `Meeting.sub_venues`)."""

    child = serializers.CharField(max_length=120)

    def to_representation(self, data):
        if isinstance(data, str):
            data = data.splitlines()
        return super().to_representation(data)


# -- output serializers ---------------------------------------------------------------------------


class MeetingSerializer(AnswerSerializer):
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
            *STAMPS,
        ]


class DirectiveSerializer(AnswerSerializer):
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)

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
            *STAMPS,
        ]


class AssignmentSerializer(AnswerSerializer):
    meeting = serializers.IntegerField(source="directive.meeting_id", read_only=True)
    meeting_title = serializers.CharField(source="directive.meeting.title", read_only=True)
    directive_number = serializers.IntegerField(source="directive.number", read_only=True)
    directive_category = serializers.CharField(source="directive.category", read_only=True)
    directive_text = serializers.CharField(source="directive.text", read_only=True)
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
            "department",
            "department_name",
            "deadline",
            "responsible_person",
            "status",
            "status_display",
            "progress_percent",
            "closed_on",
            "is_overdue",
            "is_closed_late",
            *STAMPS,
        ]


class ProgressReportSerializer(AnswerSerializer):
    township = serializers.IntegerField(source="assignment.township_id", read_only=True, allow_null=True)
    township_name = serializers.CharField(source="assignment.township.name", read_only=True, allow_null=True)
    department = serializers.IntegerField(source="assignment.department_id", read_only=True, allow_null=True)
    department_name = serializers.CharField(
        source="assignment.department.name", read_only=True, allow_null=True
    )
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
            "department",
            "department_name",
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
        queryset=Township.objects.all(), many=True, required=False, help_text=_("乡镇编号列表。")
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=CountyDepartment.objects.all(),
        many=True,
        required=False,
        help_text=_("县直部门编号列表；乡镇和县直部门至少选一个。"),
    )
    deadline = serializers.DateField(help_text=_("完成时限。"))
    responsible_person = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text=_("责任人；不填则为各乡镇主要领导（分解给县直部门时必填）。"),
    )

    def validate(self, attrs):
        if not attrs.get("townships") and not attrs.get("departments"):
            raise serializers.ValidationError({"townships": [_("请至少选择一个乡镇或县直部门。")]})
        return attrs


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


class MeetingViewSet(ServiceCreateMixin, ServiceViewSet):
    """推进会. Every role reads the meetings of its county; the county office creates them.

    Meetings are create-only here: no service edits a held meeting here (the admin corrects them).
    """

    selector = staticmethod(selectors.meeting_list)
    serializer_class = MeetingSerializer
    input_serializers = {"create": MeetingCreateSerializer}
    filterset_class = MeetingFilter
    search_fields = ["title", "chair", "main_venue"]
    ordering_fields = ["held_at", "title"]
    create_service = staticmethod(services.meeting_create)
    route_checks = {"create": access.check_meeting_create}


class DirectiveViewSet(ServiceCreateMixin, ServiceViewSet):
    """会议部署. Every role reads those of its county's meetings; the county office adds them and breaks
    them down to townships and county departments (`assign`)."""

    selector = staticmethod(selectors.directive_list)
    serializer_class = DirectiveSerializer
    input_serializers = {"create": DirectiveCreateSerializer, "assign": DirectiveAssignSerializer}
    filterset_class = DirectiveFilter
    search_fields = ["text"]
    ordering_fields = ["number", "category", "priority", "meeting__held_at"]
    create_service = staticmethod(services.directive_add)
    route_checks = {"create": access.check_directive_change, "assign": access.check_directive_assign}

    @extend_schema(responses={201: AssignmentSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)  # all of them, not a page
    def assign(self, request, pk=None):
        """任务分解: one assignment per township and per county department, all or nothing."""
        created = services.directive_assign(
            directive=self.get_object(), **self.validated_input(), by=request.user
        )
        assignments = selectors.assignment_list(user=request.user).filter(pk__in=[a.pk for a in created])
        context = self.get_serializer_context()
        return Response(
            AssignmentSerializer(assignments, many=True, context=context).data, status.HTTP_201_CREATED
        )


class AssignmentViewSet(ServiceViewSet):
    """任务分解, scoped by township or county department. Assignments come from `directives/{id}/assign/`; their state moves
    only through the actions below."""

    selector = staticmethod(selectors.assignment_list)
    serializer_class = AssignmentSerializer
    input_serializers = {
        "report_progress": ProgressInputSerializer,
        "close": CloseSerializer,
        "reopen": ReopenSerializer,
        "extend_deadline": ExtendDeadlineSerializer,
    }
    filterset_class = AssignmentFilter
    search_fields = ["responsible_person", "directive__text", "township__name", "department__name"]
    ordering_fields = ["deadline", "status", "progress_percent", "township__name", "closed_on"]
    route_checks = {
        "report_progress": access.check_assignment_report_progress,
        "close": access.check_assignment_close,
        "reopen": access.check_assignment_reopen,
        "extend_deadline": access.check_assignment_extend_deadline,
        **write_routes(access.check_assignments_read, *READ_ACTIONS),
    }

    @extend_schema(responses={201: ProgressReportSerializer})
    @action(detail=True, methods=["post"], url_path="report-progress")
    def report_progress(self, request, pk=None):
        """报告进展 (the township lead of the assignment's township or a user of its county department,
        or the guidance center)."""
        report = services.assignment_report_progress(
            assignment=self.get_object(), **self.validated_input(), by=request.user
        )
        fresh = selectors.progress_report_list(user=request.user).get(pk=report.pk)
        context = self.get_serializer_context()
        return Response(ProgressReportSerializer(fresh, context=context).data, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """办结 (the county office, the township lead of the assignment's township or a user of its county
        department)."""
        return self.act(services.assignment_close)

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """重新打开 a closed assignment (the county office)."""
        return self.act(services.assignment_reopen)

    @action(detail=True, methods=["post"], url_path="extend-deadline")
    def extend_deadline(self, request, pk=None):
        """延期 (the county office); the reason is kept in the history."""
        return self.act(services.assignment_extend_deadline)


class ProgressReportViewSet(ServiceCreateMixin, ServiceViewSet):
    """进展报告, scoped by the assignment's township or county department. Created like `assignments/{id}/report-progress/`;
    a report is a record: no update or delete."""

    selector = staticmethod(selectors.progress_report_list)
    serializer_class = ProgressReportSerializer
    input_serializers = {"create": ProgressReportCreateSerializer}
    filterset_class = ProgressReportFilter
    search_fields = ["text"]
    ordering_fields = ["reported_on", "percent", "created_at"]
    create_service = staticmethod(services.assignment_report_progress)
    route_checks = {
        "create": access.check_assignment_report_progress,
        **write_routes(access.check_assignments_read, *READ_ACTIONS),
    }


ROUTES = [
    ("meetings", MeetingViewSet, "meeting"),
    ("directives", DirectiveViewSet, "directive"),
    ("assignments", AssignmentViewSet, "assignment"),
    ("progress-reports", ProgressReportViewSet, "progress-report"),
]
