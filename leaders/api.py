"""The county's figures per township through the API, under /api/v1/township-figures/: the same
function (leaders.figures.township_figures) as the dashboard's ranking, the township page's header
and the 通报, so a client reads the numbers the pages show."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from core.clock import local_today
from core.models import Role
from core.pages import LIST_ROLES
from inspections import selectors as inspection_selectors
from inspections.models import Campaign
from leaders.dashboard import scored_figures
from leaders.figures import campaign_period


class TownshipFiguresSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(help_text=_("防控行动编号。"))
    as_of = serializers.DateField(help_text=_("数据截至日期：行动进行中为今天，已结束为其最后一天。"))
    township = serializers.IntegerField(source="township_id")
    township_name = serializers.CharField(source="name")
    brigade_status = serializers.CharField(help_text=_("本乡镇专职队中进度最快的一支的状态；未建队为空。"))
    active_staff = serializers.IntegerField()
    min_staff = serializers.IntegerField()
    staff_gap = serializers.IntegerField()
    vehicles = serializers.IntegerField()
    vehicle_gap = serializers.IntegerField()
    equipment_gap = serializers.IntegerField()
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    disbursed = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    funding_ratio = serializers.FloatField(allow_null=True)
    planned = serializers.IntegerField()
    inspected = serializers.IntegerField()
    plan_percent = serializers.FloatField(allow_null=True)
    hazards_found = serializers.IntegerField()
    hazards_rectified = serializers.IntegerField()
    hazards_open = serializers.IntegerField()
    hazards_overdue = serializers.IntegerField()
    hazards_major = serializers.IntegerField()
    hazards_major_open = serializers.IntegerField()
    hazards_carried_open = serializers.IntegerField(help_text=_("行动开始前发现、截至统计日仍未销号的隐患。"))
    rectification_rate = serializers.FloatField(allow_null=True)
    incidents = serializers.IntegerField()
    incidents_last_season = serializers.IntegerField()
    assignments = serializers.IntegerField()
    assignments_closed = serializers.IntegerField()
    assignments_overdue = serializers.IntegerField()
    assignment_rate = serializers.FloatField(allow_null=True)
    drills = serializers.IntegerField(help_text=_("本乡镇专职队在统计日所在月的演练次数。"))
    trainings = serializers.IntegerField(help_text=_("本乡镇专职队在统计日所在月的训练次数。"))
    call_outs = serializers.IntegerField(help_text=_("本乡镇专职队在统计日所在月的出警次数。"))
    publicity = serializers.IntegerField(help_text=_("本乡镇专职队在统计日所在月的宣传活动次数。"))
    score = serializers.FloatField(help_text=_("综合得分，同县级总览。"))


class FiguresQuerySerializer(serializers.Serializer):
    campaign = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


class TownshipFiguresViewSet(viewsets.ViewSet):
    """Per township the user may see, a campaign's figures (`?campaign=<id>`, default the current
    campaign of the user's counties): brigades, funding, plan progress, hazards, fires and meeting
    assignments, as the dashboard, the township page and the 通报 show them."""

    # Not a police station's: the figures hold the funding and the assignments withheld from it
    # (firebrigade.access, meetings.access), which it would read as zeros.
    action_roles = {"list": LIST_ROLES - {Role.POLICE_STATION}}

    @extend_schema(
        parameters=[OpenApiParameter("campaign", OpenApiTypes.INT, description=str(_("防控行动编号。")))],
        responses={200: TownshipFiguresSerializer(many=True)},
    )
    def list(self, request):
        today = local_today()
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            campaign = inspection_selectors.campaign_asked_or_current(
                user=request.user, campaign_id=query.validated_data.get("campaign"), on=today
            )
        except Campaign.DoesNotExist as exc:
            raise exceptions.NotFound(_("没有这个防控行动，或您无权查看。")) from exc
        if campaign is None:
            return Response([])
        period = campaign_period(campaign, today=today)
        rows, _scoring = scored_figures(user=request.user, period=period)
        for row in rows:
            row.campaign, row.as_of = campaign.pk, period.as_of
        return Response(TownshipFiguresSerializer(rows, many=True).data)


ROUTES = [("township-figures", TownshipFiguresViewSet, "township-figures")]
