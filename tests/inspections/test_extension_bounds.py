"""A township lead could extend its own hazard's deadline to 9999-12-31, taking it out of the overdue
figures and escalation (issue 20). Its extensions are now bounded (HAZARD_EXTENSION_MAX_DAYS a time,
HAZARD_EXTENSION_MAX_COUNT times); the guidance center extends beyond. Through the API, where it
was found: refused with the reason, nothing written."""

import datetime as dt

import pytest

from core.exceptions import AccessDenied
from inspections import services
from inspections.models import Hazard

from . import test_api
from .test_api import API, client_for, snapshot

world = test_api.world
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bounds(settings):
    settings.HAZARD_EXTENSION_MAX_DAYS = 90
    settings.HAZARD_EXTENSION_MAX_COUNT = 2


def extend(user, hazard, new_deadline: dt.date, reason: str = "需更换防火门"):
    return client_for(user).post(
        f"{API}/hazards/{hazard.pk}/extend-deadline/",
        {"new_deadline": new_deadline.isoformat(), "reason": reason},
        format="json",
    )


def test_a_lead_cannot_extend_its_hazard_to_the_end_of_time(world):
    lead, hazard = world.users["beiguan_lead"], world.h_bg
    before = snapshot()
    response = extend(lead, hazard, dt.date(9999, 12, 31))
    assert response.status_code == 403
    latest = (hazard.deadline + dt.timedelta(days=90)).isoformat()
    assert (
        response.json()["detail"]
        == f"乡镇每次最多延长 90 天（最晚至 {latest}）；更长的延期请报指导中心办理。"
    )
    assert snapshot() == before
    hazard.refresh_from_db()
    assert hazard.deadline_extensions == 0


def test_a_lead_extends_at_most_twice_by_at_most_the_bound_then_the_center_does(world):
    lead, center, hazard = world.users["beiguan_lead"], world.users["center"], world.h_bg
    first = hazard.deadline + dt.timedelta(days=90)  # exactly the bound
    assert extend(lead, hazard, first).status_code == 200
    second = first + dt.timedelta(days=30)
    assert extend(lead, hazard, second).status_code == 200
    before = snapshot()
    third = extend(lead, hazard, second + dt.timedelta(days=1))
    assert third.status_code == 403
    assert "该隐患已延期 2 次，乡镇最多可延期 2 次" in third.json()["detail"]
    assert snapshot() == before
    # The guidance center may go beyond both bounds.
    response = extend(center, hazard, dt.date(2023, 6, 30), "省级挂牌督办，统一延期")
    assert response.status_code == 200, response.content
    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.deadline_extensions) == (dt.date(2023, 6, 30), 3)


def test_the_bound_is_the_services_at_every_door(world):
    """The service itself refuses (the admin and any other caller go through it); the system (by=None)
    is not bounded."""
    lead, hazard = world.users["beiguan_lead"], world.h_bg
    with pytest.raises(AccessDenied, match="乡镇每次最多延长 90 天"):
        services.hazard_extend_deadline(
            hazard=hazard, new_deadline=hazard.deadline + dt.timedelta(days=91), reason="x", by=lead
        )
    services.hazard_extend_deadline(hazard=hazard, new_deadline=dt.date(2030, 1, 1), reason="x", by=None)
    assert Hazard.objects.get(pk=hazard.pk).deadline == dt.date(2030, 1, 1)
