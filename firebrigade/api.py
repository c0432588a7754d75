"""REST API of the firebrigade app under /api/v1/: 乡镇专职消防队 (brigades), 队员 (brigade-members), 装备
(equipment, equipment-types), 经费 (funding), 火灾 (incidents) and the brigade archive (一队一档:
brigade-documents, trainings, duty-roster, call-outs, publicity).
(equipment, equipment-types, equipment-checks), 经费 (funding) and 火灾 (incidents).

Reads go through firebrigade.selectors (scoped to the user, filtered by the resource's FilterSet);
every write is one call of a firebrigade.services function. Objects outside the user's scope are not
in the queryset (404); the services refuse what the access policy (firebrigade.access) does not allow
— a township other than the user's, directly or through a brigade or premises, a field or step that
is the guidance center's — with 403 and the reason; a refused rule is a 400 with the service's message. Each write route
names its rule in `route_checks`: the route gate asks it for the user's role before any input is
read, in the same words.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from core.answers import STAMPS, AnswerSerializer
from core.api import READ_ACTIONS, WRITE_ACTIONS, write_routes
from core.viewsets import ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet
from firebrigade import access, selectors, services
from firebrigade.filters import (
    BrigadeDocumentFilter,
    BrigadeFilter,
    BrigadeMemberFilter,
    CallOutFilter,
    DutyRosterEntryFilter,
    EquipmentCheckFilter,
    EquipmentItemFilter,
    EquipmentTypeFilter,
    FireIncidentFilter,
    FundingAllocationFilter,
    PublicityActivityFilter,
    TrainingRecordFilter,
)
from firebrigade.models import (
    Brigade,
    BrigadeDocument,
    BrigadeMember,
    CallOut,
    Disbursement,
    DutyRosterEntry,
    EquipmentCheck,
    EquipmentItem,
    EquipmentType,
    FireIncident,
    FundingAllocation,
    PublicityActivity,
    TrainingRecord,
)
from townships.models import Township
from townships.serializers import TownshipBriefSerializer

# -- output serializers ---------------------------------------------------------------------------


class BrigadeSerializer(AnswerSerializer):
    also_serves = TownshipBriefSerializer(many=True, read_only=True, help_text=_("共建（兼管）乡镇。"))
    active_staff = serializers.IntegerField(read_only=True, help_text=_("未离职且在岗执勤的队员人数。"))
    good_vehicles = serializers.IntegerField(read_only=True, help_text=_("状况完好的消防车辆数。"))
    min_staff = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("本等级标准最少人数。"))
    min_vehicles = serializers.IntegerField(read_only=True, allow_null=True)
    min_station_area_m2 = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Brigade
        fields = [
            "id",
            "township",
            "township_name",
            "also_serves",
            "name",
            "brigade_class",
            "brigade_class_display",
            "status",
            "status_display",
            "station_address",
            "station_area_m2",
            "duty_phone",
            "latitude",
            "longitude",
            "construction_started_on",
            "established_on",
            "accepted_on",
            "accepted_by",
            "active_staff",
            "good_vehicles",
            "min_staff",
            "min_vehicles",
            "min_station_area_m2",
            *STAMPS,
        ]


class BrigadeRowSerializer(AnswerSerializer):
    """A row kept by a brigade (a member, an item): its brigade and that brigade's township, named."""

    township = serializers.IntegerField(source="brigade.township_id", read_only=True)
    township_name = serializers.CharField(source="brigade.township.name", read_only=True)


BRIGADE_ROW_FIELDS = ["id", "brigade", "brigade_name", "township", "township_name"]


class BrigadeMemberSerializer(BrigadeRowSerializer):
    class Meta:
        model = BrigadeMember
        fields = [*BRIGADE_ROW_FIELDS, *services.MEMBER_FIELDS, "role_display", "left_on", *STAMPS]


class EquipmentTypeSerializer(AnswerSerializer):
    class Meta:
        model = EquipmentType
        fields = ["id", "name", "category", "category_display", "unit", "maintenance_interval_days"]


class EquipmentItemSerializer(BrigadeRowSerializer):
    category = serializers.CharField(source="equipment_type.category", read_only=True)
    unit = serializers.CharField(source="equipment_type.unit", read_only=True)

    class Meta:
        model = EquipmentItem
        fields = [
            *BRIGADE_ROW_FIELDS,
            "equipment_type",
            "equipment_type_name",
            "category",
            "unit",
            *services.EQUIPMENT_FIELDS,
            "condition_display",
            *STAMPS,
        ]


class EquipmentCheckSerializer(AnswerSerializer):
    brigade = serializers.IntegerField(source="item.brigade_id", read_only=True)
    brigade_name = serializers.CharField(source="item.brigade.name", read_only=True)
    township = serializers.IntegerField(source="item.brigade.township_id", read_only=True)
    equipment_type_name = serializers.CharField(source="item.equipment_type.name", read_only=True)
    checked_by_name = serializers.SerializerMethodField(help_text=_("检查人的姓名（未填姓名时为账号）。"))

    class Meta:
        model = EquipmentCheck
        fields = [
            "id",
            "item",
            "equipment_type_name",
            "brigade",
            "brigade_name",
            "township",
            "checked_on",
            "result",
            "result_display",
            "note",
            "checked_by_name",
            *STAMPS,
        ]

    def get_checked_by_name(self, obj) -> str | None:
        user = obj.checked_by
        return None if user is None else (user.get_full_name() or user.username)


class DisbursementSerializer(AnswerSerializer):
    recorded_by_name = serializers.CharField(source="recorded_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Disbursement
        fields = ["id", "amount", "disbursed_on", "voucher_no", "recorded_by_name", "created_at"]


class FundingAllocationSerializer(AnswerSerializer):
    ratio = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=_("到位率 = 已到位 ÷ 拨付计划；计划为 0 时为空。"),
    )
    disbursements = DisbursementSerializer(many=True, read_only=True, help_text=_("到位记录，新的在前。"))

    class Meta:
        model = FundingAllocation
        fields = [
            "id",
            "township",
            "township_name",
            "year",
            "category",
            "category_display",
            "amount",
            "disbursed_amount",
            "ratio",
            "source",
            "note",
            "disbursements",
            *STAMPS,
        ]


class FireIncidentSerializer(AnswerSerializer):
    report_hours = serializers.IntegerField(
        read_only=True, help_text=_("报告时限（小时），按火灾等级和有无死亡。")
    )
    report_deadline = serializers.DateTimeField(
        read_only=True, help_text=_("应报告时间 = 起火时间 + 报告时限。")
    )
    is_late_report = serializers.BooleanField(
        read_only=True, help_text=_("迟报：报告时间晚于应报告时间，或已过应报告时间仍未报告。")
    )

    class Meta:
        model = FireIncident
        fields = [
            "id",
            "township",
            "township_name",
            "premises",
            "premises_name",
            "occurred_at",
            "reported_at",
            "report_hours",
            "report_deadline",
            "is_late_report",
            "grade",
            "grade_display",
            "address",
            "cause",
            "cause_display",
            "deaths",
            "injuries",
            "serious_injuries",
            "direct_loss",
            "burned_area_m2",
            "responding_brigade",
            "responding_brigade_name",
            "arrival_minutes",
            "description",
            *STAMPS,
        ]


# -- input serializers (validate shapes; the services own the rules) ------------------------------


class BrigadeInputSerializer(serializers.ModelSerializer):
    also_serves = serializers.PrimaryKeyRelatedField(
        queryset=Township.objects.all(), many=True, required=False, help_text=_("共建（兼管）乡镇编号列表。")
    )

    class Meta:
        model = Brigade
        fields = [*services.BRIGADE_DETAILS, "also_serves"]


class DateInputSerializer(serializers.Serializer):
    """A state change on a date: today (Asia/Shanghai) when not given."""

    date_field = "on"

    def validate(self, attrs):
        attrs.setdefault(self.date_field, timezone.localdate())
        return attrs


class StartConstructionSerializer(DateInputSerializer):
    date_field = "started_on"
    started_on = serializers.DateField(required=False, help_text=_("开工日期；不填为今天。"))


class MarkEstablishedSerializer(DateInputSerializer):
    date_field = "established_on"
    established_on = serializers.DateField(required=False, help_text=_("建成日期；不填为今天。"))


class AcceptSerializer(DateInputSerializer):
    date_field = "accepted_on"
    accepted_on = serializers.DateField(required=False, help_text=_("验收日期；不填为今天。"))
    accepted_by = serializers.CharField(
        max_length=80,
        default=services.ACCEPTING_UNIT,
        help_text=_("验收单位；不填为县消防安全检查指导服务中心。"),
    )


MEMBER_FIELDS = list(services.MEMBER_FIELDS)


class BrigadeMemberCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = BrigadeMember
        fields = ["brigade", *MEMBER_FIELDS]


class BrigadeMemberUpdateSerializer(serializers.ModelSerializer):
    """A member stays in their brigade; leaving is the `leave` action."""

    class Meta:
        model = BrigadeMember
        fields = MEMBER_FIELDS


class LeaveSerializer(DateInputSerializer):
    date_field = "left_on"
    left_on = serializers.DateField(required=False, help_text=_("离职日期；不填为今天。"))


EQUIPMENT_FIELDS = list(services.EQUIPMENT_FIELDS)


class EquipmentItemCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = EquipmentItem
        fields = ["brigade", "equipment_type", *EQUIPMENT_FIELDS]
        extra_kwargs = {"next_maintenance_on": {"help_text": _("不填则按上次保养日期和保养周期推算。")}}


class EquipmentItemUpdateSerializer(serializers.ModelSerializer):
    """An item stays with its brigade and type; maintenance is best recorded with `record-maintenance`."""

    class Meta:
        model = EquipmentItem
        fields = EQUIPMENT_FIELDS


class RecordMaintenanceSerializer(DateInputSerializer):
    date_field = "maintained_on"
    maintained_on = serializers.DateField(required=False, help_text=_("保养日期；不填为今天。"))
    next_maintenance_on = serializers.DateField(
        required=False, help_text=_("下次保养日期；不填按保养周期推算。")
    )
    condition = serializers.ChoiceField(
        choices=EquipmentItem.Condition.choices, required=False, help_text=_("保养后的状况；不填不变。")
    )


class EquipmentCheckCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = EquipmentCheck
        fields = ["item", "checked_on", "result", "note"]
        extra_kwargs = {"checked_on": {"required": False, "help_text": _("检查日期；不填为今天。")}}


class FundingAllocationCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingAllocation
        fields = ["township", "year", "category", "amount", "source", "note"]
        validators = []  # one per township/year/category: the service says which one exists
        extra_kwargs = {"year": {"min_value": 2000, "max_value": 2100}, "amount": {"min_value": 0}}


class FundingAllocationUpdateSerializer(serializers.ModelSerializer):
    """Township, year and category are fixed; the amount may not drop below what has arrived."""

    class Meta:
        model = FundingAllocation
        fields = ["amount", "source", "note"]
        extra_kwargs = {"amount": {"min_value": 0}}


class DisburseSerializer(DateInputSerializer):
    date_field = "disbursed_on"
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), help_text=_("本次到位金额（元）。")
    )
    disbursed_on = serializers.DateField(required=False, help_text=_("到位日期；不填为今天。"))
    voucher_no = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)


INCIDENT_FIELDS = list(services.INCIDENT_FIELDS)


REPORTED_AT_HELP = _(
    "报告时间：不填为登记时刻（乡镇上报）。只有指导中心可以填写（纸质或电话报告），填空值表示乡镇尚未报告。"
)
INCIDENT_INPUT_KWARGS = {
    "direct_loss": {"min_value": 0},
    "burned_area_m2": {"min_value": 0},
    "reported_at": {"help_text": REPORTED_AT_HELP},
}


class FireIncidentCreateSerializer(serializers.ModelSerializer):
    """The grade is computed from the casualties and the loss; the time reported is stamped."""

    class Meta:
        model = FireIncident
        fields = ["township", *INCIDENT_FIELDS]
        extra_kwargs = {
            **INCIDENT_INPUT_KWARGS,
            "responding_brigade": {"help_text": _("出动队伍，可以是支援的外乡镇队伍。")},
        }


class FireIncidentUpdateSerializer(serializers.ModelSerializer):
    """The township of a recorded fire is fixed; its grade follows the corrected figures."""

    class Meta:
        model = FireIncident
        fields = INCIDENT_FIELDS
        extra_kwargs = INCIDENT_INPUT_KWARGS


class EmptyInputSerializer(serializers.Serializer):
    """A step that takes no input."""


# -- viewsets -------------------------------------------------------------------------------------
# Reads through the selectors (scoped, filtered by the resource's FilterSet); every write is one
# service call, which enforces firebrigade.access (AccessDenied: 403 with its reason).


class BrigadeViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """乡镇专职消防队 with active staff and good vehicles against the standard of their class.

    Scoped by the brigade's own township. The guidance center registers brigades and moves their
    construction (`start-construction`, `mark-established`, `accept`); the township's lead may edit
    the name, station and duty phone of its own brigade.
    """

    selector = staticmethod(selectors.brigade_list)
    create_service = staticmethod(services.brigade_create)
    serializer_class = BrigadeSerializer
    input_serializers = {
        "create": BrigadeInputSerializer,
        "update": BrigadeInputSerializer,
        "start_construction": StartConstructionSerializer,
        "mark_established": MarkEstablishedSerializer,
        "accept": AcceptSerializer,
    }
    filterset_class = BrigadeFilter
    search_fields = ["name", "station_address", "township__name"]
    ordering_fields = ["name", "township__name", "status", "brigade_class", "established_on", "accepted_on"]
    route_checks = {
        "create": access.check_brigade_create,
        **write_routes(access.check_brigade_update, "update", "partial_update"),
        **write_routes(access.check_brigade_lifecycle, "start_construction", "mark_established", "accept"),
    }

    def get_queryset(self):
        return super().get_queryset().prefetch_related("also_serves")

    def perform_service_update(self, instance, data):
        also_serves = data.pop("also_serves", None)
        services.brigade_update(brigade=instance, data=data, also_serves=also_serves, by=self.request.user)

    @action(detail=True, methods=["post"], url_path="start-construction")
    def start_construction(self, request, pk=None):
        """规划中 → 建设中 (the guidance center)."""
        return self.act(services.brigade_start_construction)

    @action(detail=True, methods=["post"], url_path="mark-established")
    def mark_established(self, request, pk=None):
        """建设中 → 已建成 (the guidance center)."""
        return self.act(services.brigade_mark_established)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """已建成 → 已验收 (the guidance center); refused below the standard of the brigade's class."""
        return self.act(services.brigade_accept)


class BrigadeMemberViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """专职消防队员, scoped by their brigade's township. The township's lead and the guidance center add
    and edit members and record departures (`leave`)."""

    selector = staticmethod(selectors.brigade_member_list)
    create_service = staticmethod(services.brigade_member_add)
    serializer_class = BrigadeMemberSerializer
    input_serializers = {
        "create": BrigadeMemberCreateSerializer,
        "update": BrigadeMemberUpdateSerializer,
        "leave": LeaveSerializer,
    }
    filterset_class = BrigadeMemberFilter
    search_fields = ["name", "certification", "phone"]
    ordering_fields = ["name", "role", "hired_on", "contract_until", "brigade__name"]
    route_checks = {
        **write_routes(access.check_brigade_upkeep, *WRITE_ACTIONS, "leave"),
        **write_routes(access.check_members_read, *READ_ACTIONS),
    }
    update_service = staticmethod(services.brigade_member_update)

    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """离职: the member leaves on `left_on` and is no longer on duty."""
        return self.act(services.brigade_member_leave)


class EquipmentTypeViewSet(ServiceViewSet):
    """装备类型: reference data for recording equipment, the same for every role (edited in the admin)."""

    selector = staticmethod(selectors.equipment_type_list)
    serializer_class = EquipmentTypeSerializer
    filterset_class = EquipmentTypeFilter
    search_fields = ["name"]
    ordering_fields = ["name", "category"]


class EquipmentItemViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """消防装备 held by brigades, scoped by the brigade's township. The township's lead and the guidance
    center record, edit and maintain (`record-maintenance`) it."""

    selector = staticmethod(selectors.equipment_item_list)
    create_service = staticmethod(services.equipment_item_add)
    serializer_class = EquipmentItemSerializer
    input_serializers = {
        "create": EquipmentItemCreateSerializer,
        "update": EquipmentItemUpdateSerializer,
        "record_maintenance": RecordMaintenanceSerializer,
    }
    filterset_class = EquipmentItemFilter
    search_fields = ["equipment_type__name", "note", "brigade__name"]
    ordering_fields = ["next_maintenance_on", "last_maintained_on", "quantity", "equipment_type__name"]
    route_checks = {
        **write_routes(access.check_brigade_upkeep, *WRITE_ACTIONS, "record_maintenance"),
        **write_routes(access.check_equipment_read, *READ_ACTIONS),
    }
    update_service = staticmethod(services.equipment_item_update)

    @action(detail=True, methods=["post"], url_path="record-maintenance")
    def record_maintenance(self, request, pk=None):
        """保养: records the date, schedules the next one and, if given, the condition it was left in."""
        return self.act(services.equipment_item_record_maintenance)


class EquipmentCheckViewSet(ServiceCreateMixin, ServiceViewSet):
    """装备维护检查, newest first, scoped by the brigade's township (not a police station's). The
    township's lead and the guidance center record one (the item's condition follows what it found);
    scanning the item's QR code records the same."""

    selector = staticmethod(selectors.equipment_check_list)
    create_service = staticmethod(services.equipment_check_record)
    serializer_class = EquipmentCheckSerializer
    input_serializers = {"create": EquipmentCheckCreateSerializer}
    filterset_class = EquipmentCheckFilter
    search_fields = ["note", "item__equipment_type__name", "item__brigade__name"]
    ordering_fields = ["checked_on", "result"]
    route_checks = {
        **write_routes(access.check_equipment_check, "create"),
        **write_routes(access.check_equipment_read, *READ_ACTIONS),
    }


class FundingAllocationViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """人员和办公经费: budgets per township, year and category, what has arrived and the ratio. Scoped by
    township; the guidance center budgets (create, update) and records arrivals (`disburse`)."""

    selector = staticmethod(selectors.funding_allocation_list)
    create_service = staticmethod(services.funding_allocate)
    serializer_class = FundingAllocationSerializer
    input_serializers = {
        "create": FundingAllocationCreateSerializer,
        "update": FundingAllocationUpdateSerializer,
        "disburse": DisburseSerializer,
    }
    filterset_class = FundingAllocationFilter
    search_fields = ["township__name", "source", "note"]
    ordering_fields = ["year", "township__name", "category", "amount", "disbursed_amount", "ratio"]
    route_checks = {
        **write_routes(access.check_funding_change, *WRITE_ACTIONS, "disburse"),
        **write_routes(access.check_funding_read, *READ_ACTIONS),
    }
    update_service = staticmethod(services.funding_update)

    @extend_schema(responses={201: FundingAllocationSerializer})
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        """经费到位: records an arrival of funds; refused beyond the budget. Answers the allocation."""
        return self.act(services.disbursement_record, status_code=status.HTTP_201_CREATED)


class FireIncidentViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """火灾, newest first, scoped by township (a premises' responsible person: fires at their premises),
    each with its grade (火灾等级, from the casualties and the loss), the time reported, the reporting
    deadline and whether it was reported late (迟报). The township's lead records (= reports) and
    corrects its township's fires, and reports (`report`) one the county recorded before it did;
    the guidance center any, and only it sets the time of a report made on paper."""

    selector = staticmethod(selectors.incident_list)
    create_service = staticmethod(services.fire_incident_record)
    serializer_class = FireIncidentSerializer
    input_serializers = {
        "create": FireIncidentCreateSerializer,
        "update": FireIncidentUpdateSerializer,
        "report": EmptyInputSerializer,
    }
    filterset_class = FireIncidentFilter
    search_fields = ["address", "description", "premises__name"]
    ordering_fields = [
        "occurred_at",
        "reported_at",
        "report_deadline",
        "direct_loss",
        "deaths",
        "injuries",
        "arrival_minutes",
    ]
    route_checks = write_routes(access.check_incident_change, *WRITE_ACTIONS, "report")
    update_service = staticmethod(services.fire_incident_update)

    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """报告: the township reports a fire the county recorded before it did; the time reported is
        this moment. Refused (409) once reported."""
        return self.act(services.fire_incident_report)


# -- the brigade archive (一队一档) -------------------------------------------------------------------


class BrigadeDocumentSerializer(BrigadeRowSerializer):
    class Meta:
        model = BrigadeDocument
        fields = [*BRIGADE_ROW_FIELDS, *services.DOCUMENT_FIELDS, "kind_display", *STAMPS]


class BrigadeDocumentCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = BrigadeDocument
        fields = ["brigade", *services.DOCUMENT_FIELDS]
        extra_kwargs = {"file": {"help_text": _("扫描件或照片（JPG、PNG、WEBP）或 PDF。")}}


class TrainingRecordSerializer(BrigadeRowSerializer):
    class Meta:
        model = TrainingRecord
        fields = [*BRIGADE_ROW_FIELDS, *services.TRAINING_FIELDS, "kind_display", *STAMPS]


class TrainingRecordCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = ["brigade", *services.TRAINING_FIELDS]
        extra_kwargs = {
            "held_on": {"help_text": _("训练或演练的日期；不能晚于今天。")},
            "participants": {"help_text": _("参加队员编号列表（本队在队队员）。")},
        }


class DutyRosterEntrySerializer(BrigadeRowSerializer):
    class Meta:
        model = DutyRosterEntry
        fields = [*BRIGADE_ROW_FIELDS, *services.DUTY_FIELDS, "shift_display", "leader_name", *STAMPS]


class DutyRosterEntryCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyRosterEntry
        fields = ["brigade", *services.DUTY_FIELDS]
        validators = []  # one entry per day and shift: the service says which one exists


class CallOutSerializer(BrigadeRowSerializer):
    response_minutes = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("到场用时（分钟）= 到场时间 − 接警时间。")
    )

    class Meta:
        model = CallOut
        fields = [*BRIGADE_ROW_FIELDS, *services.CALL_OUT_FIELDS, "kind_display", "response_minutes", *STAMPS]


class CallOutCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallOut
        fields = ["brigade", *services.CALL_OUT_FIELDS]
        extra_kwargs = {"incident": {"help_text": _("对应的火灾（出警类型为火灾时）。")}}


class PublicityActivitySerializer(BrigadeRowSerializer):
    class Meta:
        model = PublicityActivity
        fields = [*BRIGADE_ROW_FIELDS, *services.PUBLICITY_FIELDS, "kind_display", *STAMPS]


class PublicityActivityCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicityActivity
        fields = ["brigade", *services.PUBLICITY_FIELDS]


class ArchiveViewSet(ServiceCreateMixin, ServiceViewSet):
    """A kind of record of the brigade archive, scoped by the brigade's township and withheld from a
    police station (it names members). The brigade's township lead and the guidance center add
    records; a record entered by mistake is deleted by the center in the admin."""

    route_checks = {
        **write_routes(access.check_archive_change, "create"),
        **write_routes(access.check_archive_read, *READ_ACTIONS),
    }


class BrigadeDocumentViewSet(ArchiveViewSet):
    """队伍档案文件 (建队批复, 验收报告, 执勤制度, ...): a photo or a PDF, uploaded as multipart."""

    selector = staticmethod(selectors.brigade_document_list)
    create_service = staticmethod(services.brigade_document_add)
    serializer_class = BrigadeDocumentSerializer
    input_serializers = {"create": BrigadeDocumentCreateSerializer}
    filterset_class = BrigadeDocumentFilter
    search_fields = ["title"]
    ordering_fields = ["issued_on", "kind", "created_at"]


class TrainingRecordViewSet(ArchiveViewSet):
    """训练和演练: type, date, hours, content and who took part. A date in the future is refused."""

    selector = staticmethod(selectors.training_list)
    create_service = staticmethod(services.training_record)
    serializer_class = TrainingRecordSerializer
    input_serializers = {"create": TrainingRecordCreateSerializer}
    filterset_class = TrainingRecordFilter
    search_fields = ["topic", "place"]
    ordering_fields = ["held_on", "hours"]


class DutyRosterEntryViewSet(ArchiveViewSet):
    """执勤排班: a day and shift, its leader (带班) and members; one entry per day and shift."""

    selector = staticmethod(selectors.duty_roster_list)
    create_service = staticmethod(services.duty_roster_add)
    serializer_class = DutyRosterEntrySerializer
    input_serializers = {"create": DutyRosterEntryCreateSerializer}
    filterset_class = DutyRosterEntryFilter
    search_fields = ["note", "leader__name"]
    ordering_fields = ["duty_on", "shift"]


class CallOutViewSet(ArchiveViewSet):
    """出警: type, time called and time arrived (not before the call), outcome, and the fire it answered."""

    selector = staticmethod(selectors.call_out_list)
    create_service = staticmethod(services.call_out_record)
    serializer_class = CallOutSerializer
    input_serializers = {"create": CallOutCreateSerializer}
    filterset_class = CallOutFilter
    search_fields = ["address", "outcome"]
    ordering_fields = ["called_at", "arrived_at"]


class PublicityActivityViewSet(ArchiveViewSet):
    """消防宣传: date, form, place and the audience reached."""

    selector = staticmethod(selectors.publicity_list)
    create_service = staticmethod(services.publicity_record)
    serializer_class = PublicityActivitySerializer
    input_serializers = {"create": PublicityActivityCreateSerializer}
    filterset_class = PublicityActivityFilter
    search_fields = ["place", "note"]
    ordering_fields = ["held_on", "audience"]


ROUTES = [
    ("brigades", BrigadeViewSet, "brigade"),
    ("brigade-members", BrigadeMemberViewSet, "brigade-member"),
    ("equipment-types", EquipmentTypeViewSet, "equipment-type"),
    ("equipment", EquipmentItemViewSet, "equipment"),
    ("equipment-checks", EquipmentCheckViewSet, "equipment-check"),
    ("funding", FundingAllocationViewSet, "funding"),
    ("incidents", FireIncidentViewSet, "incident"),
    ("brigade-documents", BrigadeDocumentViewSet, "brigade-document"),
    ("trainings", TrainingRecordViewSet, "training"),
    ("duty-roster", DutyRosterEntryViewSet, "duty-roster"),
    ("call-outs", CallOutViewSet, "call-out"),
    ("publicity", PublicityActivityViewSet, "publicity"),
]
