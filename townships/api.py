"""REST API of the townships app under /api/v1/: 乡镇 (townships), 网格 (grids), 社会单位 (premises) and
派出所 (police-stations).

Reads go through townships.selectors (scoped to the user, filtered by the resource's FilterSet);
every write is one townships.services call, which applies the app's access policy
(townships.access) to the user. Objects outside the user's scope are not in the queryset (404); a
write the policy refuses (a township outside the user's own) is a 403 with its reason; a refused
rule is a 400. Each write route names its rule in `route_checks`: the route gate asks it for the
user's role before any input is read, in the same words.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.answers import STAMPS, AnswerSerializer
from core.api import WRITE_ACTIONS, write_routes
from core.viewsets import ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet
from townships import access, selectors, services
from townships.filters import GridFilter, PoliceStationFilter, PremisesFilter, TownshipFilter
from townships.models import Grid, GridMember, PoliceStation, Premises, Township
from townships.serializers import TownshipBriefSerializer

# -- output serializers ---------------------------------------------------------------------------


class TownshipSerializer(AnswerSerializer):
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
            *STAMPS,
        ]


class GridMemberSerializer(AnswerSerializer):
    class Meta:
        model = GridMember
        fields = ["id", "grid", "name", "role", "role_display", "phone", "active"]


class GridSerializer(AnswerSerializer):
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
            *STAMPS,
        ]


class PremisesSerializer(AnswerSerializer):
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
            "latitude",
            "longitude",
            "last_inspected_on",
            "next_inspection_due",
            *STAMPS,
        ]


class PoliceStationSerializer(AnswerSerializer):
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
            *STAMPS,
        ]


# -- input serializers (validate shapes; the services own the rules) ------------------------------


def input_serializer(name: str, model, fields) -> type[serializers.ModelSerializer]:
    """A write's input: `fields` of `model`, from the services' lists (what is fixed once registered —
    a township's or station's county, a grid's or premises' township — is on create only).
    Uniqueness is left to the model's constraints, checked by full_clean in the service, so that one
    message says what clashed."""
    meta = type("Meta", (), {"model": model, "fields": list(fields), "validators": []})
    return type(name, (serializers.ModelSerializer,), {"Meta": meta, "__module__": __name__})


TownshipCreateSerializer = input_serializer(
    "TownshipCreateSerializer", Township, ["county", *services.TOWNSHIP_DETAILS]
)
TownshipUpdateSerializer = input_serializer("TownshipUpdateSerializer", Township, services.TOWNSHIP_DETAILS)
GridCreateSerializer = input_serializer("GridCreateSerializer", Grid, ["township", *services.GRID_DETAILS])
GridUpdateSerializer = input_serializer("GridUpdateSerializer", Grid, services.GRID_DETAILS)
GridMemberInputSerializer = input_serializer(
    "GridMemberInputSerializer", GridMember, services.GRID_MEMBER_DETAILS
)
PremisesCreateSerializer = input_serializer(
    "PremisesCreateSerializer", Premises, ["township", *services.PREMISES_DETAILS]
)
PremisesUpdateSerializer = input_serializer("PremisesUpdateSerializer", Premises, services.PREMISES_DETAILS)
PoliceStationCreateSerializer = input_serializer(
    "PoliceStationCreateSerializer", PoliceStation, ["county", *services.POLICE_STATION_DETAILS]
)
PoliceStationUpdateSerializer = input_serializer(
    "PoliceStationUpdateSerializer", PoliceStation, services.POLICE_STATION_DETAILS
)


# -- viewsets -------------------------------------------------------------------------------------


class TownshipViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """乡镇（街道办）with grid and premises counts. Every role reads the townships it may see (a premises'
    responsible person: none); the guidance center registers and edits them."""

    selector = staticmethod(selectors.township_list)
    filterset_class = TownshipFilter
    serializer_class = TownshipSerializer
    input_serializers = {"create": TownshipCreateSerializer, "update": TownshipUpdateSerializer}
    search_fields = ["name", "principal_leader", "fire_deputy"]
    ordering_fields = ["name", "kind", "premises_count", "grid_count", "high_risk_premises_count"]
    route_checks = write_routes(access.check_township_change)
    create_service = staticmethod(services.township_create)
    update_service = staticmethod(services.township_update)


class GridViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """网格 with their 网格长/网格员, scoped by township. The township's lead and the guidance center
    create grids, edit their name and area, and add members (`add-member`)."""

    selector = staticmethod(selectors.grid_list)
    filterset_class = GridFilter
    serializer_class = GridSerializer
    input_serializers = {
        "create": GridCreateSerializer,
        "update": GridUpdateSerializer,
        "add_member": GridMemberInputSerializer,
    }
    search_fields = ["name", "area_description", "township__name"]
    ordering_fields = ["name", "township__name", "premises_count", "active_member_count"]
    route_checks = write_routes(access.check_grid_change, *WRITE_ACTIONS, "add_member")
    create_service = staticmethod(services.grid_create)
    update_service = staticmethod(services.grid_update)

    @extend_schema(request=GridMemberInputSerializer, responses={201: GridMemberSerializer})
    @action(detail=True, methods=["post"], url_path="add-member")
    def add_member(self, request, pk=None):
        """Add a 网格长 or 网格员 to this grid."""
        member = services.grid_member_add(grid=self.get_object(), **self.validated_input(), by=request.user)
        return Response(GridMemberSerializer(member).data, status.HTTP_201_CREATED)


class PremisesViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """社会单位（场所）. Scoped by township (a police station: the townships of its area; a responsible
    person: their own premises). The township's lead and the guidance center register and edit them."""

    selector = staticmethod(selectors.premises_list)
    filterset_class = PremisesFilter
    serializer_class = PremisesSerializer
    input_serializers = {"create": PremisesCreateSerializer, "update": PremisesUpdateSerializer}
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
    route_checks = {
        "create": access.check_premises_create,
        **write_routes(access.check_premises_update, "update", "partial_update"),
    }
    create_service = staticmethod(services.premises_create)
    update_service = staticmethod(services.premises_update)


class PoliceStationViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceViewSet):
    """派出所 and the townships each covers. Every role reads the stations covering a township it may
    see; the guidance center registers stations and sets their area."""

    selector = staticmethod(selectors.police_station_list)
    filterset_class = PoliceStationFilter
    serializer_class = PoliceStationSerializer
    input_serializers = {"create": PoliceStationCreateSerializer, "update": PoliceStationUpdateSerializer}
    search_fields = ["name", "chief"]
    ordering_fields = ["name"]
    route_checks = write_routes(access.check_police_station_change)
    create_service = staticmethod(services.police_station_create)
    update_service = staticmethod(services.police_station_update)


ROUTES = [
    ("townships", TownshipViewSet, "township"),
    ("grids", GridViewSet, "grid"),
    ("premises", PremisesViewSet, "premises"),
    ("police-stations", PoliceStationViewSet, "police-station"),
]
