"""REST API of the townships app under /api/v1/: 乡镇 (townships), 网格 (grids), 社会单位 (premises) and
派出所 (police-stations).

Reads go through townships.selectors (scoped to the user). Writes call townships.services where a
service exists (premises_create / premises_update, grid_create, grid_member_add). Townships, police
stations and a grid's name and area are reference data: core.services.reference_record_save writes
them (full_clean, history user, the coverage rule for stations). Objects outside the
user's scope are not in the queryset (404); a write naming a township outside it is forbidden (403);
a refused rule is a 400.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CENTER, TOWNSHIP_WRITERS, ensure_township_writable
from core.services import reference_record_save
from core.viewsets import ServiceUpdateMixin, ServiceViewSet, update_schema
from townships import selectors, services
from townships.filters import GridFilter, PoliceStationFilter, PremisesFilter, TownshipFilter
from townships.models import Grid, GridMember, PoliceStation, Premises, Township
from townships.serializers import TownshipBriefSerializer

# -- output serializers ---------------------------------------------------------------------------


class TownshipSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    grid_count = serializers.IntegerField(read_only=True)
    premises_count = serializers.IntegerField(read_only=True)
    high_risk_premises_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Township
        fields = [
            "id",
            "county",
            "county_name",
            "name",
            "kind",
            "kind_display",
            "principal_leader",
            "principal_leader_phone",
            "fire_deputy",
            "fire_deputy_phone",
            "grid_count",
            "premises_count",
            "high_risk_premises_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class GridMemberSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = GridMember
        fields = ["id", "grid", "name", "role", "role_display", "phone", "active"]
        read_only_fields = fields


class GridSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    members = GridMemberSerializer(many=True, read_only=True, help_text=_("网格长和网格员（含不在岗的）。"))
    active_member_count = serializers.IntegerField(read_only=True)
    premises_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Grid
        fields = [
            "id",
            "township",
            "township_name",
            "name",
            "area_description",
            "members",
            "active_member_count",
            "premises_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PremisesSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True, allow_null=True)
    police_station_name = serializers.CharField(source="police_station.name", read_only=True, allow_null=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    risk_level_display = serializers.CharField(source="get_risk_level_display", read_only=True)

    class Meta:
        model = Premises
        fields = [
            "id",
            "township",
            "township_name",
            "grid",
            "grid_name",
            "police_station",
            "police_station_name",
            "name",
            "address",
            "category",
            "category_display",
            "risk_level",
            "risk_level_display",
            "is_key_unit",
            "responsible_person",
            "responsible_phone",
            "manager",
            "manager_phone",
            "last_inspected_on",
            "next_inspection_due",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PoliceStationSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)
    townships = TownshipBriefSerializer(many=True, read_only=True, help_text=_("辖区乡镇。"))

    class Meta:
        model = PoliceStation
        fields = [
            "id",
            "county",
            "county_name",
            "name",
            "chief",
            "phone",
            "townships",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# -- input serializers (validate shapes; the services own the rules) ------------------------------
# Uniqueness is left to the model's constraints, checked by full_clean in the service (validators = []),
# so that one message says what clashed.

TOWNSHIP_FIELDS = [
    "name",
    "kind",
    "principal_leader",
    "principal_leader_phone",
    "fire_deputy",
    "fire_deputy_phone",
]


class TownshipCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["county", *TOWNSHIP_FIELDS]
        validators = []


class TownshipUpdateSerializer(serializers.ModelSerializer):
    """The county of a township is fixed once registered."""

    class Meta:
        model = Township
        fields = TOWNSHIP_FIELDS
        validators = []


class GridCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["township", "name", "area_description"]
        validators = []


class GridUpdateSerializer(serializers.ModelSerializer):
    """A grid stays in its township: premises there are filed under it."""

    class Meta:
        model = Grid
        fields = ["name", "area_description"]
        validators = []


class GridMemberInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = GridMember
        fields = ["name", "role", "phone"]


PREMISES_FIELDS = [
    "grid",
    "police_station",
    "name",
    "address",
    "category",
    "risk_level",
    "is_key_unit",
    "responsible_person",
    "responsible_phone",
    "manager",
    "manager_phone",
]


class PremisesCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Premises
        fields = ["township", *PREMISES_FIELDS]
        validators = []


class PremisesUpdateSerializer(serializers.ModelSerializer):
    """The township is fixed once registered (inspections and hazards copy it); the inspection
    schedule moves only with inspections."""

    class Meta:
        model = Premises
        fields = PREMISES_FIELDS
        validators = []


class PoliceStationCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoliceStation
        fields = ["county", "name", "chief", "phone", "townships"]
        validators = []


class PoliceStationUpdateSerializer(serializers.ModelSerializer):
    """The county of a station is fixed; its area (townships) may change."""

    class Meta:
        model = PoliceStation
        fields = ["name", "chief", "phone", "townships"]
        validators = []


# -- viewsets -------------------------------------------------------------------------------------


@update_schema(TownshipUpdateSerializer, TownshipSerializer)
class TownshipViewSet(ServiceUpdateMixin, ServiceViewSet):
    """乡镇（街道办）with grid and premises counts. Every role reads the townships it may see (a premises'
    responsible person: none); the guidance center registers and edits them."""

    queryset = Township.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = TownshipSerializer
    input_serializers = {
        "create": TownshipCreateSerializer,
        "update": TownshipUpdateSerializer,
        "partial_update": TownshipUpdateSerializer,
    }
    filterset_class = TownshipFilter
    search_fields = ["name", "principal_leader", "fire_deputy"]
    ordering_fields = ["name", "kind", "premises_count", "grid_count", "high_risk_premises_count"]
    write_roles = CENTER

    def get_queryset(self):
        return selectors.township_list(user=self.request.user)

    @extend_schema(request=TownshipCreateSerializer, responses={201: TownshipSerializer})
    def create(self, request, *args, **kwargs):
        township = reference_record_save(Township(), data=self.validated_input(), by=request.user)
        return self.answer(township, status_code=status.HTTP_201_CREATED)

    def perform_service_update(self, instance, data):
        reference_record_save(instance, data=data, by=self.request.user)


@update_schema(GridUpdateSerializer, GridSerializer)
class GridViewSet(ServiceUpdateMixin, ServiceViewSet):
    """网格 with their 网格长/网格员, scoped by township. The township's lead and the guidance center
    create grids, edit their name and area, and add members (`add-member`)."""

    queryset = Grid.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = GridSerializer
    input_serializers = {
        "create": GridCreateSerializer,
        "update": GridUpdateSerializer,
        "partial_update": GridUpdateSerializer,
        "add_member": GridMemberInputSerializer,
    }
    filterset_class = GridFilter
    search_fields = ["name", "area_description", "township__name"]
    ordering_fields = ["name", "township__name", "premises_count", "active_member_count"]
    write_roles = TOWNSHIP_WRITERS
    action_roles = {"add_member": TOWNSHIP_WRITERS}

    def get_queryset(self):
        return selectors.grid_list(user=self.request.user)

    @extend_schema(request=GridCreateSerializer, responses={201: GridSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        ensure_township_writable(request.user, data["township"].pk)
        grid = services.grid_create(**data, by=request.user)
        return self.answer(grid, status_code=status.HTTP_201_CREATED)

    def get_update_object(self):
        return self.writable_object(lambda grid: grid.township_id)

    def perform_service_update(self, instance, data):
        reference_record_save(instance, data=data, by=self.request.user)

    @extend_schema(request=GridMemberInputSerializer, responses={201: GridMemberSerializer})
    @action(detail=True, methods=["post"], url_path="add-member")
    def add_member(self, request, pk=None):
        """Add a 网格长 or 网格员 to this grid."""
        grid = self.writable_object(lambda g: g.township_id)
        member = services.grid_member_add(grid=grid, **self.validated_input(), by=request.user)
        return Response(GridMemberSerializer(member).data, status.HTTP_201_CREATED)


@update_schema(PremisesUpdateSerializer, PremisesSerializer)
class PremisesViewSet(ServiceUpdateMixin, ServiceViewSet):
    """社会单位（场所）. Scoped by township (a police station: the townships of its area; a responsible
    person: their own premises). The township's lead and the guidance center register and edit them."""

    queryset = Premises.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = PremisesSerializer
    input_serializers = {
        "create": PremisesCreateSerializer,
        "update": PremisesUpdateSerializer,
        "partial_update": PremisesUpdateSerializer,
    }
    filterset_class = PremisesFilter
    search_fields = ["name", "address", "responsible_person", "manager"]
    ordering_fields = [
        "name",
        "township__name",
        "risk_level",
        "category",
        "next_inspection_due",
        "last_inspected_on",
        "created_at",
    ]
    write_roles = TOWNSHIP_WRITERS

    def get_queryset(self):
        return selectors.premises_list(user=self.request.user)

    def _ensure_links_writable(self, data) -> None:
        # A grid is part of a township: naming another township's grid is a write into it.
        if data.get("grid") is not None:
            ensure_township_writable(self.request.user, data["grid"].township_id)

    @extend_schema(request=PremisesCreateSerializer, responses={201: PremisesSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        ensure_township_writable(request.user, data["township"].pk)
        self._ensure_links_writable(data)
        premises = services.premises_create(**data, by=request.user)
        return self.answer(premises, status_code=status.HTTP_201_CREATED)

    def get_update_object(self):
        return self.writable_object(lambda premises: premises.township_id)

    def perform_service_update(self, instance, data):
        self._ensure_links_writable(data)
        services.premises_update(premises=instance, data=data, by=self.request.user)


@update_schema(PoliceStationUpdateSerializer, PoliceStationSerializer)
class PoliceStationViewSet(ServiceUpdateMixin, ServiceViewSet):
    """派出所 and the townships each covers. Every role reads the stations covering a township it may
    see; the guidance center registers stations and sets their area."""

    queryset = PoliceStation.objects.none()  # for the schema only: get_queryset() scopes every request
    serializer_class = PoliceStationSerializer
    input_serializers = {
        "create": PoliceStationCreateSerializer,
        "update": PoliceStationUpdateSerializer,
        "partial_update": PoliceStationUpdateSerializer,
    }
    filterset_class = PoliceStationFilter
    search_fields = ["name", "chief"]
    ordering_fields = ["name"]
    write_roles = CENTER

    def get_queryset(self):
        return selectors.police_station_list(user=self.request.user)

    @extend_schema(request=PoliceStationCreateSerializer, responses={201: PoliceStationSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        townships = data.pop("townships", [])
        station = reference_record_save(
            PoliceStation(), data=data, by=request.user, many={"townships": townships}
        )
        return self.answer(station, status_code=status.HTTP_201_CREATED)

    def perform_service_update(self, instance, data):
        if "townships" not in data:
            reference_record_save(instance, data=data, by=self.request.user)
            return
        townships = data.pop("townships")
        reference_record_save(
            instance,
            data=data,
            by=self.request.user,
            many={"townships": townships},
            # Premises still filed under this station must stay inside its area (checked under the lock).
            check=lambda station: services.police_station_check_coverage(
                police_station=station, townships=townships
            ),
        )


ROUTES = [
    ("townships", TownshipViewSet, "township"),
    ("grids", GridViewSet, "grid"),
    ("premises", PremisesViewSet, "premises"),
    ("police-stations", PoliceStationViewSet, "police-station"),
]
