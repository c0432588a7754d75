"""A brigade's staff and vehicles, kept as they change: the services that add, change, retire or
delete members and equipment recount their brigade in the same transaction (not signals: a write
past the services must call `recount`). `differences` / `recount()` are what
`manage.py rebuild_figures [--check]` runs for this app."""

from collections.abc import Iterable

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from firebrigade.models import Brigade, BrigadeMember, EquipmentItem, EquipmentType


def _counted() -> dict:
    """active_staff: members who have not left and are on duty; good_vehicles: the quantity of good
    items of vehicle types. As expressions over the outer brigade."""
    staff = (
        BrigadeMember.objects.filter(brigade=OuterRef("pk"), left_on__isnull=True, on_duty=True)
        .order_by()
        .values("brigade")
        .annotate(n=Count("pk"))
        .values("n")
    )
    vehicles = (
        EquipmentItem.objects.filter(
            brigade=OuterRef("pk"),
            condition=EquipmentItem.Condition.GOOD,
            equipment_type__category=EquipmentType.Category.VEHICLE,
        )
        .order_by()
        .values("brigade")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    return {
        "counted_staff": Coalesce(Subquery(staff, output_field=IntegerField()), 0),
        "counted_vehicles": Coalesce(Subquery(vehicles, output_field=IntegerField()), 0),
    }


def recount(brigade_ids: Iterable[int] | None = None) -> None:
    """Set active_staff and good_vehicles of these brigades (default: all) from their members and
    equipment. Two statements."""
    brigades = (
        Brigade.objects.all() if brigade_ids is None else Brigade.objects.filter(pk__in=list(brigade_ids))
    )
    rows = list(brigades.annotate(**_counted()).only("pk"))
    for brigade in rows:
        brigade.active_staff, brigade.good_vehicles = brigade.counted_staff, brigade.counted_vehicles
    Brigade.objects.bulk_update(rows, ["active_staff", "good_vehicles"])


def differences() -> list[str]:
    """Brigades whose kept counts differ from their members and equipment, one line each."""
    wrong = Brigade.objects.annotate(**_counted()).filter(
        ~Q(active_staff=F("counted_staff")) | ~Q(good_vehicles=F("counted_vehicles"))
    )
    return [
        _("专职队 %(id)s：在岗队员/完好车辆 记为 %(kept)s，应为 %(counted)s")
        % {
            "id": b.pk,
            "kept": f"{b.active_staff}/{b.good_vehicles}",
            "counted": f"{b.counted_staff}/{b.counted_vehicles}",
        }
        for b in wrong.order_by("pk")
    ]
