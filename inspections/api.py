"""REST API of the inspections app under /api/v1/: 防控行动 (campaigns), 检查计划 (inspection-plans),
检查记录 (inspections, recorded with their checklist results and hazards), 火灾隐患 (hazards and their
closed loop: start-rectifying → rectify → reinspect, extend-deadline), 检查项 (checklist-items) and
责任追究 (accountabilities).

Reads go through inspections.selectors (scoped to the user, filtered by the resource's one FilterSet);
every write is one call of an inspections.services function. Objects outside the user's scope are not
in the queryset (404). Who may write is inspections.access, enforced by the services: a role that may
never take a step is turned away before its input is read (each write route names its rule in
`route_checks`, which the route gate asks), and a write the policy refuses (another township's
premises, a kind of inspection the role does not carry out, another station's hazard) is a 403 with
the reason, in the same words; a refused rule of the process is a 400.
"""

import datetime as dt

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.answers import STAMPS, AnswerSerializer
from core.api import JSONParser, write_routes
from core.clock import local_today
from core.compiled import CompiledQuery
from core.exceptions import ApplicationError
from core.filters import CleanedFilters, filter_values
from core.serializers import FastRepresentationMixin, RowsById, ValuesRowsMixin, counted_page
from core.viewsets import ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet
from firebrigade.models import FireIncident
from inspections import access, selectors, services
from inspections.filters import (
    AccountabilityFilter,
    CampaignFilter,
    ChecklistItemFilter,
    HazardFilter,
    InspectionFilter,
    InspectionPlanFilter,
)
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistItem,
    ChecklistResult,
    HandoverAction,
    Hazard,
    HazardHandover,
    HazardPhoto,
    HazardSupervision,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from meetings.models import Assignment
from townships.models import PoliceStation, Premises


def _as_field_error(field: str, check, **kwargs) -> None:
    """Run a service-side validation helper and report its refusal as an error of `field` (so a client
    learns which input was wrong); the service runs the same helper again when it writes."""
    try:
        check(**kwargs)
    except ApplicationError as exc:
        raise serializers.ValidationError({field: [exc.message]}) from exc


# -- output serializers ---------------------------------------------------------------------------


class CampaignSerializer(AnswerSerializer):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "county",
            "county_name",
            "name",
            "kind",
            "kind_display",
            "starts_on",
            "ends_on",
            "description",
            *STAMPS,
        ]


class InspectionPlanSerializer(AnswerSerializer):
    planned_count = serializers.IntegerField(read_only=True, help_text=_("计划检查的单位数。"))
    inspected_count = serializers.IntegerField(
        read_only=True, help_text=_("已按本计划检查的单位数（同一单位多次检查计一次）。")
    )
    percent = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        coerce_to_string=False,
        read_only=True,
        allow_null=True,
        help_text=_("完成率（%），计划无检查对象时为空。"),
    )

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "township",
            "township_name",
            "police_station",
            "police_station_name",
            "title",
            "due_on",
            "premises",
            "planned_count",
            "inspected_count",
            "percent",
            *STAMPS,
        ]


class ChecklistResultSerializer(AnswerSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_text = serializers.CharField(source="item.text", read_only=True)

    class Meta:
        model = ChecklistResult
        fields = ["id", "item", "item_code", "item_text", "result", "result_display", "note"]


class HazardBriefSerializer(AnswerSerializer):
    class Meta:
        model = Hazard
        fields = ["id", "severity", "status", "description", "deadline", "verified_on"]


class InspectionSerializer(AnswerSerializer):
    recorded_by_name = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, default=None
    )
    results = ChecklistResultSerializer(many=True, read_only=True)
    hazards = HazardBriefSerializer(many=True, read_only=True)
    hazard_count = serializers.IntegerField(read_only=True)
    open_hazard_count = serializers.IntegerField(read_only=True, help_text=_("尚未复查销号的隐患数。"))

    class Meta:
        model = Inspection
        fields = [
            "id",
            "premises",
            "premises_name",
            "township",
            "township_name",
            "plan",
            "police_station",
            "police_station_name",
            "kind",
            "kind_display",
            "inspected_on",
            "inspectors",
            "signed_by",
            "notes",
            "latitude",
            "longitude",
            "location_accuracy_m",
            "recorded_by",
            "recorded_by_name",
            "results",
            "hazards",
            "hazard_count",
            "open_hazard_count",
            *STAMPS,
        ]


class RectificationSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    evidence = serializers.FileField(read_only=True, allow_null=True)

    class Meta:
        model = Rectification
        fields = ["id", "rectified_on", "rectified_by", "measures", "evidence", "submitted_by", "created_at"]
        read_only_fields = fields


class ReinspectionSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    class Meta:
        model = Reinspection
        fields = [
            "id",
            "rectification",
            "inspected_on",
            "inspectors",
            "passed",
            "note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class HazardPhotoSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    image = serializers.FileField(read_only=True)

    class Meta:
        model = HazardPhoto
        fields = [
            "id",
            "image",
            "taken_at",
            "latitude",
            "longitude",
            "location_accuracy_m",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields


class HazardSerializer(ValuesRowsMixin, serializers.ModelSerializer):
    """A list page writes 50 hazards with 26 fields and two nested lists: read with values() and
    written by core.serializers.ValuesRows from the fields declared here, one query for the page
    (a single hazard: core.serializers.FastRepresentation). Tests compare both with DRF's output."""

    premises_name = serializers.CharField(source="premises.name", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    grid = serializers.IntegerField(source="premises.grid_id", read_only=True, allow_null=True)
    grid_name = serializers.CharField(
        source="premises.grid.name", read_only=True, allow_null=True, default=None
    )
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    photo_before = serializers.FileField(read_only=True, allow_null=True)
    photo_after = serializers.FileField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text=_("已过整改期限且未复查销号（按今天计）。")
    )
    # The selector's `verified_late`, false (not NULL) for a hazard not yet verified.
    verified_late = serializers.BooleanField(read_only=True, help_text=_("已销号且销号日期晚于整改期限。"))
    rectifications = RectificationSerializer(many=True, read_only=True)
    reinspections = ReinspectionSerializer(many=True, read_only=True)
    photos = HazardPhotoSerializer(
        many=True, read_only=True, help_text=_("现场照片（可多张），每张带拍摄时间和地点。")
    )

    class Meta:
        model = Hazard
        fields = [
            "id",
            "inspection",
            "premises",
            "premises_name",
            "township",
            "township_name",
            "grid",
            "grid_name",
            "checklist_item",
            "severity",
            "severity_display",
            "description",
            "discovered_on",
            "deadline",
            "status",
            "status_display",
            "responsible_person",
            "photo_before",
            "photo_after",
            "photos",
            "verified_on",
            "is_overdue",
            "verified_late",
            "rectifications",
            "reinspections",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ChecklistItemSerializer(serializers.ModelSerializer):
    """Read and written as is: a checklist item has no rules beyond its fields (`code` is unique)."""

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "code",
            "text",
            "category",
            "premises_categories",
            "order",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    premises_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Premises.Category.choices),
        required=False,
        allow_empty=True,
        help_text=_("适用的单位类别；空列表即适用于所有类别的单位。"),
    )


class AccountabilitySerializer(AnswerSerializer):
    class Meta:
        model = Accountability
        fields = [
            "id",
            "township",
            "township_name",
            "incident",
            "premises",
            "premises_name",
            "hazard",
            "assignment",
            "person",
            "unit",
            "finding",
            "sanction",
            "decided_by",
            "decided_on",
            *STAMPS,
        ]


# -- input serializers (validate shapes; the services own the rules) ------------------------------


class CampaignCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["county", "name", "kind", "starts_on", "ends_on", "description"]

    def validate(self, attrs):
        _as_field_error(
            "ends_on", services.campaign_validate, starts_on=attrs["starts_on"], ends_on=attrs["ends_on"]
        )
        return attrs


class InspectionPlanCreateSerializer(serializers.ModelSerializer):
    premises = serializers.PrimaryKeyRelatedField(
        queryset=Premises.objects.all(),
        many=True,
        allow_empty=False,
        help_text=_("检查对象（单位编号列表）。"),
    )
    police_station = serializers.PrimaryKeyRelatedField(
        queryset=PoliceStation.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("由派出所执行的计划填写；乡镇自行检查的计划留空。"),
    )

    class Meta:
        model = InspectionPlan
        fields = ["campaign", "township", "police_station", "title", "due_on", "premises"]


class ChecklistResultInputSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistItem.objects.all(), help_text=_("检查项编号。")
    )
    result = serializers.ChoiceField(choices=ChecklistResult.Result.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HazardInputSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Hazard.Severity.choices)
    description = serializers.CharField()
    deadline = serializers.DateField(help_text=_("整改期限，不能早于发现日期（即本次检查日期）。"))
    responsible_person = serializers.CharField(max_length=50, help_text=_("整改责任人。"))
    checklist_item = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistItem.objects.all(), required=False, allow_null=True, default=None
    )


class LocationInputSerializer(serializers.Serializer):
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    accuracy_m = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, help_text=_("定位精度（米）。")
    )


class InspectionRecordSerializer(serializers.Serializer):
    premises = serializers.PrimaryKeyRelatedField(queryset=Premises.objects.all(), help_text=_("检查对象。"))
    kind = serializers.ChoiceField(
        choices=Inspection.Kind.choices,
        required=False,
        help_text=_("不填时按角色：乡镇检查、派出所检查、单位自查或指导中心检查。"),
    )
    inspected_on = serializers.DateField(help_text=_("检查日期，不能晚于今天。"))
    inspectors = serializers.CharField(max_length=120, help_text=_("检查人员。"))
    signed_by = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    plan = serializers.PrimaryKeyRelatedField(
        queryset=InspectionPlan.objects.all(), required=False, allow_null=True, default=None
    )
    police_station = serializers.PrimaryKeyRelatedField(
        queryset=PoliceStation.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("派出所检查必填；派出所账号不填时为本所。"),
    )
    results = ChecklistResultInputSerializer(many=True, required=False, default=list)
    hazards = HazardInputSerializer(many=True, required=False, default=list)
    location = LocationInputSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("检查时手机所在位置；单位尚未定位的，以此定位（精度100米以内）。"),
    )

    def validate_inspected_on(self, value):
        # The service's rule, asked here too so that the error names the field.
        try:
            services.inspection_date_validate(inspected_on=value)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message) from exc
        return value

    def validate(self, attrs):
        _as_field_error(
            "results", services.checklist_items_validate, items=[r["item"] for r in attrs["results"]]
        )
        _as_field_error(
            "hazards",
            services.checklist_item_active_validate,
            items=[h["checklist_item"] for h in attrs["hazards"]],
        )
        _as_field_error(
            "results",
            services.checklist_items_apply_validate,
            premises=attrs["premises"],
            items=[r["item"] for r in attrs["results"]],
        )
        _as_field_error(
            "hazards",
            services.checklist_items_apply_validate,
            premises=attrs["premises"],
            items=[h["checklist_item"] for h in attrs["hazards"]],
        )
        # Keyed by the hazard's index, as DRF reports errors of a nested list.
        errors = {}
        for index, hazard in enumerate(attrs["hazards"]):
            try:
                services.hazard_deadline_validate(
                    discovered_on=attrs["inspected_on"], deadline=hazard["deadline"]
                )
            except ApplicationError as exc:
                errors[index] = {"deadline": [exc.message]}
        if errors:
            raise serializers.ValidationError({"hazards": errors})
        return attrs


class PatrolRecordSerializer(serializers.Serializer):
    premises = serializers.PrimaryKeyRelatedField(
        queryset=Premises.objects.all(), help_text=_("巡查的单位（本网格）。")
    )
    patrolled_on = serializers.DateField(help_text=_("巡查日期，不能晚于今天。"))
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    results = ChecklistResultInputSerializer(many=True, required=False, default=list)
    hazards = HazardInputSerializer(many=True, required=False, default=list)
    location = LocationInputSerializer(
        required=False, allow_null=True, default=None, help_text=_("巡查时手机所在位置。")
    )

    def validate_patrolled_on(self, value):
        try:
            services.inspection_date_validate(inspected_on=value)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message) from exc
        return value

    def validate(self, attrs):
        # The inspection's rules on results and hazards, the patrol date standing for the inspection's.
        InspectionRecordSerializer.validate(self, {**attrs, "inspected_on": attrs["patrolled_on"]})
        return attrs


class HazardRectifySerializer(serializers.Serializer):
    rectified_on = serializers.DateField(required=False, help_text=_("整改完成日期；不填为今天。"))
    rectified_by = serializers.CharField(max_length=50, help_text=_("整改人。"))
    measures = serializers.CharField(help_text=_("整改措施。"))
    evidence = serializers.FileField(required=False, help_text=_("整改佐证（照片或 PDF）。"))
    photo_after = serializers.FileField(required=False, help_text=_("整改后照片。"))


class HazardCorrectSerializer(serializers.Serializer):
    """What was recorded when the hazard was found, corrected or completed — the photo taken then
    included (an inspection is recorded as JSON; its hazards' photos follow, one PATCH each)."""

    severity = serializers.ChoiceField(choices=Hazard.Severity.choices, required=False)
    description = serializers.CharField(required=False)
    responsible_person = serializers.CharField(max_length=50, required=False, help_text=_("整改责任人。"))
    photo_before = serializers.FileField(required=False, help_text=_("整改前照片（发现隐患时拍摄）。"))

    def validate(self, attrs):
        # Anything else sent is refused by name, not ignored: the status and the deadline above all.
        unknown = sorted(set(getattr(self, "initial_data", {})) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    name: _("不能在此修改：隐患的状态和整改期限只能通过整改、复查、延期等步骤改变。")
                    if name in ("status", "deadline")
                    else _("不能在此修改的字段。")
                    for name in unknown
                }
            )
        return attrs


class HazardPhotoInputSerializer(serializers.Serializer):
    image = serializers.FileField(help_text=_("照片（JPG、PNG 或 WEBP），手机上已缩小。"))
    taken_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=_("拍摄时间（手机时钟）。")
    )
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    accuracy_m = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text=_("定位精度（米）。")
    )


class HazardReinspectSerializer(serializers.Serializer):
    inspected_on = serializers.DateField(required=False, help_text=_("复查日期；不填为今天。"))
    inspectors = serializers.CharField(max_length=120, help_text=_("复查人员。"))
    passed = serializers.BooleanField(help_text=_("复查合格则销号；不合格退回整改。"))
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("复查意见；不合格时必填。")
    )


class HazardExtendDeadlineSerializer(serializers.Serializer):
    new_deadline = serializers.DateField(help_text=_("新的整改期限。"))
    reason = serializers.CharField(max_length=200, help_text=_("延期理由。"))


class HazardHandOverSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("移交理由：乡镇为何无法解决。"))
    evidence = serializers.FileField(help_text=_("移交材料（照片或 PDF）。"))
    handed_over_on = serializers.DateField(required=False, help_text=_("移交日期；不填为今天。"))


class HazardSuperviseSerializer(serializers.Serializer):
    leader = serializers.CharField(max_length=50, help_text=_("督办责任领导。"))
    leader_phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    deadline = serializers.DateField(help_text=_("督办期限。"))
    requirement = serializers.CharField(
        required=False, default="", allow_blank=True, help_text=_("督办要求。")
    )
    listed_on = serializers.DateField(required=False, help_text=_("挂牌日期；不填为今天。"))


class HandoverActionSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = HandoverAction
        fields = ["id", "kind", "kind_display", "taken_on", "note", "recorded_by", "created_at"]
        read_only_fields = fields


class HazardHandoverSerializer(serializers.ModelSerializer):
    premises_name = serializers.CharField(source="hazard.premises.name", read_only=True)
    township_name = serializers.CharField(source="hazard.township.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    evidence = serializers.FileField(read_only=True, allow_null=True)
    actions = HandoverActionSerializer(many=True, read_only=True)

    class Meta:
        model = HazardHandover
        fields = [
            "id",
            "hazard",
            "premises_name",
            "township_name",
            "handed_over_on",
            "reason",
            "evidence",
            "handed_over_by",
            "status",
            "status_display",
            "actions",
            "ended_on",
            "outcome",
            "ended_by",
            "created_at",
        ]
        read_only_fields = fields


class HandoverRecordActionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HandoverAction.Kind.choices, help_text=_("办理措施。"))
    taken_on = serializers.DateField(required=False, help_text=_("日期；不填为今天。"))
    note = serializers.CharField(required=False, default="", allow_blank=True, help_text=_("情况说明。"))


class HandoverCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text=_("办理结果。"))
    closed_on = serializers.DateField(required=False, help_text=_("办结日期；不填为今天。"))


class HandoverReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("退回理由。"))
    returned_on = serializers.DateField(required=False, help_text=_("退回日期；不填为今天。"))


class HazardSupervisionSerializer(serializers.ModelSerializer):
    premises_name = serializers.CharField(source="hazard.premises.name", read_only=True)
    township_name = serializers.CharField(source="hazard.township.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text=_("仍在督办且已过督办期限。"))

    class Meta:
        model = HazardSupervision
        fields = [
            "id",
            "hazard",
            "premises_name",
            "township_name",
            "listed_on",
            "leader",
            "leader_phone",
            "deadline",
            "requirement",
            "listed_by",
            "is_overdue",
            "lifted_on",
            "lift_reason",
            "lifted_by",
            "created_at",
        ]
        read_only_fields = fields


class SupervisionLiftSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("摘牌理由。"))
    lifted_on = serializers.DateField(required=False, help_text=_("摘牌日期；不填为今天。"))


class AccountabilityCreateSerializer(serializers.ModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(
        queryset=FireIncident.objects.all(), required=False, allow_null=True, default=None
    )
    premises = serializers.PrimaryKeyRelatedField(
        queryset=Premises.objects.all(), required=False, allow_null=True, default=None
    )
    hazard = serializers.PrimaryKeyRelatedField(
        queryset=Hazard.objects.all(), required=False, allow_null=True, default=None
    )
    assignment = serializers.PrimaryKeyRelatedField(
        queryset=Assignment.objects.all(), required=False, allow_null=True, default=None
    )

    class Meta:
        model = Accountability
        fields = list(services.ACCOUNTABILITY_FIELDS)


class CurrentCampaignQuerySerializer(serializers.Serializer):
    county = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


# -- viewsets -------------------------------------------------------------------------------------


class CampaignViewSet(ServiceCreateMixin, ServiceViewSet):
    """冬春火灾防控 and 专项整治 campaigns. Every role reads those of its county; the guidance center opens
    them. No update or delete here (the admin corrects)."""

    selector = staticmethod(selectors.campaign_list)
    serializer_class = CampaignSerializer
    input_serializers = {"create": CampaignCreateSerializer}
    create_service = staticmethod(services.campaign_create)
    filterset_class = CampaignFilter
    search_fields = ["name", "description"]
    ordering_fields = ["starts_on", "ends_on", "name"]
    route_checks = {"create": access.check_campaign_write}

    @extend_schema(
        parameters=[
            OpenApiParameter("county", OpenApiTypes.INT, description=str(_("县编号；不填为您所在的县。")))
        ],
        responses={200: CampaignSerializer, 404: None},
    )
    @action(detail=False, methods=["get"])
    def current(self, request):
        """The campaign current today (the one the dashboard, the township pages and the 通报 show):
        running, the winter-spring season before a special campaign inside it; else the latest
        started. 404 when none has started."""
        query = CurrentCampaignQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        county_id = query.validated_data.get("county")
        campaign = selectors.campaign_current(on=local_today(), county_id=county_id, user=request.user)
        if campaign is None:
            raise exceptions.NotFound(_("尚无已开始的防控行动。"))
        return Response(self.serializer_class(campaign, context=self.get_serializer_context()).data)


class InspectionPlanViewSet(ServiceCreateMixin, ServiceViewSet):
    """检查计划 with their progress (planned / inspected / percent), scoped by township. The guidance
    center and the township lead (for its own township) create them."""

    selector = staticmethod(selectors.inspection_plan_list)
    serializer_class = InspectionPlanSerializer
    input_serializers = {"create": InspectionPlanCreateSerializer}
    create_service = staticmethod(services.inspection_plan_create)
    filterset_class = InspectionPlanFilter
    search_fields = ["title", "township__name"]
    ordering_fields = ["due_on", "title", "percent", "planned_count", "inspected_count"]
    route_checks = {"create": access.check_plan_write}


class InspectionViewSet(ServiceCreateMixin, ServiceViewSet):
    """检查记录 with their checklist results and the hazards found. Recorded in one request by whoever
    inspected: the township lead (乡镇检查, own township), the police station (派出所检查, its area, in
    its own name), the premises responsible person (单位自查, own premises) or the guidance center (any
    kind); `kind` and `police_station` left out are the recorder's own. A record is not edited or
    deleted through the API."""

    selector = staticmethod(selectors.inspection_list)
    serializer_class = InspectionSerializer
    input_serializers = {"create": InspectionRecordSerializer}
    create_service = staticmethod(services.inspection_record)
    filterset_class = InspectionFilter
    search_fields = ["premises__name", "inspectors", "notes"]
    ordering_fields = ["inspected_on", "kind", "hazard_count", "open_hazard_count"]
    route_checks = {"create": access.check_inspection_record}

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("results", queryset=ChecklistResult.objects.select_related("item")),
                Prefetch("hazards", queryset=Hazard.objects.order_by("id")),
            )
            .order_by("-inspected_on", "-id")
        )


class PatrolViewSet(InspectionViewSet):
    """巡查: a grid member's patrols of the premises of their grid, with checklist results and the
    hazards found (which enter the same loop as an inspection's). A grid member reads their own and
    records them (POST; a retry with the same `Idempotency-Key` records nothing more); the others
    read the patrols of what they may see. Not edited or deleted through the API."""

    selector = staticmethod(selectors.patrol_list)
    input_serializers = {"create": PatrolRecordSerializer}
    create_service = staticmethod(services.patrol_record)
    route_checks = {"create": access.check_patrol_record}


HAZARD_COLUMNS = [f.name for f in Hazard._meta.concrete_fields]


def _hazard_rows(hazards):
    # Only what the serializer shows: the whole premises, inspection and checklist rows the
    # selector joins for the pages cost more to build than the hazards themselves.
    return (
        hazards.select_related(None)
        .select_related("premises__grid", "township")
        .only(*HAZARD_COLUMNS, "premises__name", "premises__grid__name", "township__name")
        .prefetch_related(
            Prefetch("rectifications", queryset=Rectification.objects.order_by("rectified_on", "id")),
            Prefetch("reinspections", queryset=Reinspection.objects.order_by("inspected_on", "id")),
            Prefetch("photos", queryset=HazardPhoto.objects.order_by("taken_at", "id")),
        )
    )


def hazard_rows_as_of(*, on):
    """The rows of a hazard list page, read by id: the selector's flags as of `on` (the list's
    `is_overdue`, `verified_late`), the nested lists in their order."""
    return _hazard_rows(selectors.hazard_flags(Hazard.objects.all(), on=on))


HAZARD_LIST_ORDER = ("deadline", "id")


def _hazard_page_ids(*, user, on, page: tuple[int, int], **filters):
    # A list page's ids and the count: the selector's scope and filters (validated already), as of `on`.
    hazards = selectors.hazard_list(
        user=user, filters=CleanedFilters.of(HazardFilter, filters), decorated=False, on=on
    )
    return counted_page(hazards.order_by(*HAZARD_LIST_ORDER), *page, address=True)


HAZARD_PAGE_IDS = CompiledQuery(Hazard, _hazard_page_ids)


def _input(value) -> bool:
    """A filter's value a compiled query takes (core.compiled): not a row (a premises, a campaign)."""
    if isinstance(value, tuple):
        return all(isinstance(v, str) for v in value)
    return value is None or isinstance(value, int | str | dt.date)


class HazardViewSet(ServiceUpdateMixin, ServiceViewSet):
    """火灾隐患, scoped by township (a premises responsible person: its own unit's). Hazards are found by
    inspections (`POST /inspections/`); their state moves only through the actions below, each one
    service call: open → rectifying → awaiting verification → verified, or back to rectifying.
    PATCH corrects what was recorded when it was found and attaches the photo taken then (the
    township's lead and the guidance center); the status and the deadline move only by the actions.
    `POST /hazards/{id}/photos/` adds one more photo (time and place with it) by whoever recorded the
    inspection: a phone's sync sends each photo so, with its own Idempotency-Key."""

    http_method_names = ["get", "post", "patch", "head", "options"]  # a hazard is never replaced whole
    update_service = staticmethod(services.hazard_update)

    queryset = Hazard.objects.none()  # for the schema only: the selector scopes every request
    selector = staticmethod(selectors.hazard_list)
    serializer_class = HazardSerializer
    input_serializers = {
        "update": HazardCorrectSerializer,
        "rectify": HazardRectifySerializer,
        "reinspect": HazardReinspectSerializer,
        "extend_deadline": HazardExtendDeadlineSerializer,
        "hand_over": HazardHandOverSerializer,
        "supervise": HazardSuperviseSerializer,
        "add_photo": HazardPhotoInputSerializer,
    }
    filterset_class = HazardFilter
    search_fields = ["description", "premises__name", "responsible_person"]
    ordering_fields = ["deadline", "discovered_on", "status", "severity", "verified_on"]
    route_checks = {
        # Who corrects a hazard's record (PUT is not served: http_method_names answers it 405).
        **write_routes(access.check_hazard_extend_deadline, "update", "partial_update"),
        "start_rectifying": access.check_hazard_rectify,
        "rectify": access.check_hazard_rectify,
        "reinspect": access.check_hazard_reinspect,
        "extend_deadline": access.check_hazard_extend_deadline,
        "hand_over": access.check_hazard_hand_over,
        "supervise": access.check_hazard_supervise,
        "add_photo": access.check_hazard_photo_add,
    }

    def get_queryset(self):
        if self.action == "list" and self.reads_values():
            # Only which hazards, in order: the page's rows are read by id (page_rows_by_id).
            filters = self.request.query_params
            return selectors.hazard_list(user=self.request.user, filters=filters, decorated=False).order_by(
                *HAZARD_LIST_ORDER
            )
        return _hazard_rows(super().get_queryset()).order_by(*HAZARD_LIST_ORDER)

    def page_ids(self):
        """A list page's ids and the count: a compiled query's statement (HAZARD_PAGE_IDS), run inside
        the page rows' own where PostgreSQL writes them; its filters validated here as the selector
        validates them (a bad value: 400). None where the list is searched or reordered, or filtered
        by a row (a premises, a campaign): get_queryset then."""
        params = self.request.query_params
        if params.get(api_settings.SEARCH_PARAM) or params.get(api_settings.ORDERING_PARAM):
            return None
        cleaned = filter_values(HazardFilter, params, user=self.request.user)
        values = {name: tuple(v) if isinstance(v, list) else v for name, v in cleaned.items()}
        if not all(_input(v) for v in values.values()):
            return None
        user, on = self.request.user, local_today()
        return lambda bottom, top: HAZARD_PAGE_IDS.statement(user=user, on=on, page=(bottom, top), **values)

    def page_rows_by_id(self) -> RowsById:
        """A list page: its hazards' ids read through the selector (scope, filters, order), then
        their rows by id with SQL compiled once per process (core.serializers.RowsById)."""
        return RowsById(hazard_rows_as_of, on=local_today())

    @extend_schema(request=None, responses={200: HazardSerializer})
    @action(detail=True, methods=["post"], url_path="start-rectifying")
    def start_rectifying(self, request, pk=None):
        """开始整改: open → rectifying."""
        hazard = self.get_object()
        services.hazard_start_rectifying(hazard=hazard, by=request.user)
        return self.answer(hazard)

    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def rectify(self, request, pk=None):
        """提交整改 (with evidence and an after-photo as multipart): the hazard awaits re-inspection."""
        hazard = self.get_object()
        data = self.validated_input()
        services.hazard_rectify(
            hazard=hazard,
            rectified_on=data.get("rectified_on") or local_today(),
            rectified_by=data["rectified_by"],
            measures=data["measures"],
            evidence=data.get("evidence"),
            photo_after=data.get("photo_after"),
            by=request.user,
        )
        return self.answer(hazard)

    @extend_schema(responses={201: HazardSerializer})
    @action(detail=True, methods=["post"], url_path="photos", parser_classes=[MultiPartParser, FormParser])
    def add_photo(self, request, pk=None):
        """添加现场照片 (multipart; one photo per request, as many requests as photos), with the time it
        was taken and the place, where known. Whoever recorded the inspection that found the hazard;
        send an `Idempotency-Key` so that a retried upload adds the photo once."""
        hazard = self.get_object()
        data = self.validated_input()
        services.hazard_photo_add(
            hazard=hazard,
            image=data["image"],
            taken_at=data.get("taken_at"),
            location={
                "latitude": data.get("latitude"),
                "longitude": data.get("longitude"),
                "accuracy_m": data.get("accuracy_m"),
            },
            by=request.user,
        )
        return self.answer(hazard, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def reinspect(self, request, pk=None):
        """复查: passed → verified (销号); failed → back to rectifying. A police station re-inspects only
        the hazards its own inspections found."""
        hazard = self.get_object()
        data = self.validated_input()
        services.hazard_reinspect(
            hazard=hazard,
            inspected_on=data.get("inspected_on") or local_today(),
            inspectors=data["inspectors"],
            passed=data["passed"],
            note=data["note"],
            by=request.user,
        )
        return self.answer(hazard)

    @action(detail=True, methods=["post"], url_path="extend-deadline")
    def extend_deadline(self, request, pk=None):
        """延长整改期限; the reason is kept in the history."""
        hazard = self.get_object()
        data = self.validated_input()
        services.hazard_extend_deadline(
            hazard=hazard, new_deadline=data["new_deadline"], reason=data["reason"], by=request.user
        )
        return self.answer(hazard)

    @extend_schema(responses={200: HazardSerializer})
    @action(detail=True, methods=["post"], url_path="hand-over", parser_classes=[MultiPartParser, FormParser])
    def hand_over(self, request, pk=None):
        """移交消防救援机构 (multipart, with the evidence file): a hazard its township cannot resolve."""
        hazard = self.get_object()
        services.hazard_hand_over(hazard=hazard, **self.validated_input(), by=request.user)
        return self.answer(hazard)

    @extend_schema(responses={200: HazardSerializer})
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        """挂牌督办: list a major hazard for supervision with its responsible leader and deadline."""
        hazard = self.get_object()
        services.hazard_supervise(hazard=hazard, **self.validated_input(), by=request.user)
        return self.answer(hazard)


class HazardHandoverViewSet(ServiceViewSet):
    """移交消防救援机构: hand-overs of the hazards the user may read (the fire rescue authority: every
    one of its county). Made by `POST /hazards/{id}/hand-over/`; the authority alone records its
    actions, closes a hand-over with its outcome or hands it back. Filter: status."""

    selector = staticmethod(selectors.handover_list)
    serializer_class = HazardHandoverSerializer
    input_serializers = {
        "record_action": HandoverRecordActionSerializer,
        "close": HandoverCloseSerializer,
        "hand_back": HandoverReturnSerializer,
    }
    ordering_fields = ["handed_over_on", "status"]
    route_checks = write_routes(access.check_handover_act, "record_action", "close", "hand_back")

    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=HazardHandover.Status.values)]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: HazardHandoverSerializer})
    @action(detail=True, methods=["post"], url_path="record-action")
    def record_action(self, request, pk=None):
        """登记办理措施 (已受理, 依法查处, 责令整改, 临时查封 …)."""
        return self.act(services.handover_record_action)

    @extend_schema(responses={200: HazardHandoverSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """办结, with the outcome."""
        return self.act(services.handover_close)

    @extend_schema(responses={200: HazardHandoverSerializer})
    @action(detail=True, methods=["post"], url_path="hand-back")
    def hand_back(self, request, pk=None):
        """退回乡镇, with the reason."""
        return self.act(services.handover_return)


class HazardSupervisionViewSet(ServiceViewSet):
    """挂牌督办 of the hazards the user may read, soonest deadline first. Listed by
    `POST /hazards/{id}/supervise/`; lifted (摘牌) only by the county, with a reason. Filter: listed."""

    selector = staticmethod(selectors.supervision_list)
    serializer_class = HazardSupervisionSerializer
    input_serializers = {"lift": SupervisionLiftSerializer}
    ordering_fields = ["deadline", "listed_on"]
    route_checks = {"lift": access.check_hazard_supervise}

    @extend_schema(parameters=[OpenApiParameter("listed", OpenApiTypes.BOOL)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: HazardSupervisionSerializer})
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        """摘牌: the county lifts a listing, with a reason."""
        return self.act(services.supervision_lift)


class ChecklistItemViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """检查项: every role reads the checklist; the guidance center maintains it. Items are retired with
    `is_active: false`, never deleted (recorded results refer to them)."""

    selector = staticmethod(selectors.checklist_item_list)
    serializer_class = ChecklistItemSerializer
    create_service = staticmethod(services.checklist_item_create)
    filterset_class = ChecklistItemFilter
    search_fields = ["code", "text", "category"]
    ordering_fields = ["order", "code", "category"]
    route_checks = write_routes(access.check_checklist_item_write)
    update_service = staticmethod(services.checklist_item_update)


class AccountabilityViewSet(ServiceCreateMixin, ServiceViewSet):
    """责任追究, scoped by township. Recorded by the guidance center or a county official (of the
    township's county); a decision is a record: no update or delete."""

    selector = staticmethod(selectors.accountability_list)
    serializer_class = AccountabilitySerializer
    input_serializers = {"create": AccountabilityCreateSerializer}
    create_service = staticmethod(services.accountability_record)
    filterset_class = AccountabilityFilter
    search_fields = ["person", "unit", "finding", "sanction"]
    ordering_fields = ["decided_on", "person"]
    route_checks = {"create": access.check_accountability_write}


ROUTES = [
    ("campaigns", CampaignViewSet, "campaign"),
    ("inspection-plans", InspectionPlanViewSet, "inspection-plan"),
    ("inspections", InspectionViewSet, "inspection"),
    ("patrols", PatrolViewSet, "patrol"),
    ("hazards", HazardViewSet, "hazard"),
    ("hazard-handovers", HazardHandoverViewSet, "hazard-handover"),
    ("hazard-supervisions", HazardSupervisionViewSet, "hazard-supervision"),
    ("checklist-items", ChecklistItemViewSet, "checklist-item"),
    ("accountabilities", AccountabilityViewSet, "accountability"),
]
