"""factory_boy factories for every domain model. Dates default to the 2021-22 winter-spring season."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from core.models import Role, UserProfile
from firebrigade import models as fb
from firebrigade import tallies as brigade_tallies
from inspections import models as ins
from meetings import models as mt
from townships import models as tw

SHANGHAI = ZoneInfo("Asia/Shanghai")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password-1")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tw.County
        django_get_or_create = ("name",)

    name = "民权县"


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tw.Township
        django_get_or_create = ("county", "name")

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"测试乡{n}")
    kind = tw.Township.Kind.TOWNSHIP
    principal_leader = "张书记"
    fire_deputy = "李副乡长"


class PoliceStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tw.PoliceStation

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"测试派出所{n}")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tw.Grid

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")


class GridMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tw.GridMember

    grid = factory.SubFactory(GridFactory)
    name = factory.Sequence(lambda n: f"网格员{n}")
    phone = "13800000000"


class PremisesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tw.Premises

    township = factory.SubFactory(TownshipFactory)
    grid = factory.LazyAttribute(lambda o: GridFactory(township=o.township))
    name = factory.Sequence(lambda n: f"测试单位{n}")
    address = factory.Sequence(lambda n: f"测试路{n}号")
    category = tw.Premises.Category.SHOP
    risk_level = tw.Premises.RiskLevel.MEDIUM
    responsible_person = "王老板"
    responsible_phone = "13900000000"


class ResponsibilityAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = tw.ResponsibilityAgreement

    township = factory.SubFactory(TownshipFactory)
    year = 2021
    signatory = "张书记"
    counterparty = "县人民政府"
    scope = "乡镇消防安全目标责任"
    signed_on = dt.date(2021, 3, 1)


class BrigadeStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.BrigadeStandard
        django_get_or_create = ("brigade_class",)

    brigade_class = fb.BrigadeClass.CLASS_2
    min_staff = 8
    min_vehicles = 1
    min_station_area_m2 = 300


class BrigadeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.Brigade

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试专职消防队{n}")
    brigade_class = fb.BrigadeClass.CLASS_2


class BrigadeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.BrigadeMember
        skip_postgeneration_save = True

    brigade = factory.SubFactory(BrigadeFactory)
    name = factory.Sequence(lambda n: f"队员{n}")
    role = fb.BrigadeMember.Role.FIREFIGHTER
    hired_on = dt.date(2021, 6, 1)

    @factory.post_generation
    def counted(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        """Written past the services, so the brigade's kept counts are made again, as they would."""
        if create:
            brigade_tallies.recount([obj.brigade_id])


class EquipmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.EquipmentType
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"装备{n}")
    category = fb.EquipmentType.Category.PUMP
    maintenance_interval_days = 90


class EquipmentRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.EquipmentRequirement

    standard = factory.SubFactory(BrigadeStandardFactory)
    equipment_type = factory.SubFactory(EquipmentTypeFactory)
    quantity = 2


class EquipmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.EquipmentItem
        skip_postgeneration_save = True

    brigade = factory.SubFactory(BrigadeFactory)
    equipment_type = factory.SubFactory(EquipmentTypeFactory)
    quantity = 1

    @factory.post_generation
    def counted(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        """Written past the services, so the brigade's kept counts are made again, as they would."""
        if create:
            brigade_tallies.recount([obj.brigade_id])


class FundingAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.FundingAllocation

    township = factory.SubFactory(TownshipFactory)
    year = 2021
    category = fb.FundingCategory.PERSONNEL
    amount = Decimal("100000.00")


class FireIncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = fb.FireIncident

    township = factory.SubFactory(TownshipFactory)
    occurred_at = dt.datetime(2022, 1, 15, 20, 30, tzinfo=SHANGHAI)
    # Reported within the hour, in time whatever the grade (a late one is made on purpose).
    reported_at = factory.LazyAttribute(
        lambda o: (
            (parse_datetime(o.occurred_at) if isinstance(o.occurred_at, str) else o.occurred_at)
            + dt.timedelta(hours=1)
        )
    )
    address = "测试村"
    cause = fb.FireIncident.Cause.ELECTRICAL


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ins.Campaign
        django_get_or_create = ("county", "name")

    county = factory.SubFactory(CountyFactory)
    name = "2021—2022年度冬春火灾防控"
    kind = ins.Campaign.Kind.WINTER_SPRING
    starts_on = dt.date(2021, 11, 1)
    ends_on = dt.date(2022, 4, 30)


class InspectionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ins.InspectionPlan

    campaign = factory.SubFactory(CampaignFactory)
    township = factory.SubFactory(TownshipFactory)
    title = factory.Sequence(lambda n: f"检查计划{n}")
    due_on = dt.date(2021, 12, 31)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ins.ChecklistItem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    text = factory.Sequence(lambda n: f"检查项{n}")


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ins.Inspection

    premises = factory.SubFactory(PremisesFactory)
    township = factory.LazyAttribute(lambda o: o.premises.township)
    kind = ins.Inspection.Kind.TOWNSHIP
    inspected_on = dt.date(2021, 11, 20)
    inspectors = "赵专干、钱网格员"


class HazardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ins.Hazard

    inspection = factory.SubFactory(InspectionFactory)
    premises = factory.LazyAttribute(lambda o: o.inspection.premises)
    township = factory.LazyAttribute(lambda o: o.inspection.township)
    severity = ins.Hazard.Severity.GENERAL
    description = "安全出口堵塞"
    discovered_on = factory.LazyAttribute(lambda o: o.inspection.inspected_on)
    deadline = factory.LazyAttribute(lambda o: o.discovered_on + dt.timedelta(days=7))
    responsible_person = "王老板"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mt.Meeting

    county = factory.SubFactory(CountyFactory)
    title = factory.Sequence(lambda n: f"推进会{n}")
    held_at = dt.datetime(2021, 11, 17, 15, 0, tzinfo=SHANGHAI)
    chair = "王景义"
    main_venue = "县政府主会场"


class DirectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mt.Directive

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    category = mt.Directive.Category.BRIGADE
    text = "加快完成乡镇专职消防队伍建设工作"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mt.Assignment

    directive = factory.SubFactory(DirectiveFactory)
    township = factory.SubFactory(TownshipFactory)
    deadline = dt.date(2021, 12, 31)
    responsible_person = "张书记"


def make_user(role: str, *, username: str | None = None, **links):
    """A user with a role profile, e.g. make_user(Role.TOWNSHIP_LEAD, township=t)."""
    user = UserFactory(username=username) if username else UserFactory()
    UserProfile.objects.create(user=user, role=role, **links)
    return user


__all__ = ["Role", "make_user"]
