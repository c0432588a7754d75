"""The hazard closed loop: open → rectifying → awaiting verification → verified, or back to rectifying."""

import datetime as dt

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import Role
from inspections import services
from inspections.models import Hazard, Rectification, Reinspection
from tests.factories import make_user
from tests.inspections.factories import INSPECTED_ON, awaiting_hazard, open_hazard, verified_hazard

pytestmark = pytest.mark.django_db

S = Hazard.Status


def day(n: int) -> dt.date:
    return INSPECTED_ON + dt.timedelta(days=n)


def rectify(hazard, *, on, by=None, **kwargs):
    return services.hazard_rectify(
        hazard=hazard, rectified_on=on, rectified_by="王老板", measures="清理出口杂物", by=by, **kwargs
    )


def test_full_loop_with_a_rejected_reinspection_ends_verified(premises, user):
    inspector = make_user(Role.GUIDANCE_CENTER, username="inspector")
    hazard = open_hazard(premises=premises, by=user)
    assert hazard.status == S.OPEN

    hazard = services.hazard_start_rectifying(hazard=hazard, by=user)
    assert hazard.status == S.RECTIFYING

    first = rectify(hazard, on=day(2), by=user)
    hazard.refresh_from_db()
    assert hazard.status == S.AWAITING_VERIFICATION
    assert first.submitted_by == user

    rejected = services.hazard_reinspect(
        hazard=hazard,
        inspected_on=day(3),
        inspectors="赵专干",
        passed=False,
        note="杂物仍未清走",
        by=inspector,
    )
    hazard.refresh_from_db()
    assert hazard.status == S.RECTIFYING
    assert hazard.verified_on is None
    assert (rejected.rectification, rejected.passed, rejected.recorded_by) == (first, False, inspector)

    second = rectify(hazard, on=day(4), by=user)
    hazard.refresh_from_db()
    assert hazard.status == S.AWAITING_VERIFICATION

    passed = services.hazard_reinspect(
        hazard=hazard, inspected_on=day(5), inspectors="赵专干", passed=True, by=inspector
    )
    hazard.refresh_from_db()
    assert hazard.status == S.VERIFIED
    assert hazard.verified_on == day(5)
    assert passed.rectification == second

    statuses = [h.status for h in hazard.history.order_by("history_id")]
    assert statuses == [
        S.OPEN,
        S.RECTIFYING,
        S.AWAITING_VERIFICATION,
        S.RECTIFYING,
        S.AWAITING_VERIFICATION,
        S.VERIFIED,
    ]
    users = [h.history_user for h in hazard.history.order_by("history_id")]
    assert users == [user, user, user, inspector, user, inspector]


def test_a_hazard_can_be_rectified_straight_from_open(premises):
    hazard = open_hazard(premises=premises)
    rectification = rectify(hazard, on=day(1), photo_after=None)
    hazard.refresh_from_db()
    assert hazard.status == S.AWAITING_VERIFICATION
    assert rectification.hazard == hazard


def test_there_is_no_way_to_verify_other_than_a_passed_reinspection():
    assert not hasattr(services, "hazard_verify")


def test_an_open_hazard_cannot_be_verified_without_a_rectification(premises, unchanged):
    hazard = open_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="待复查"), unchanged():
        services.hazard_reinspect(hazard=hazard, inspected_on=day(2), inspectors="赵专干", passed=True)


def test_a_rectifying_hazard_sent_back_cannot_be_verified_without_a_new_rectification(premises, unchanged):
    hazard = awaiting_hazard(premises=premises)
    services.hazard_reinspect(
        hazard=hazard, inspected_on=day(4), inspectors="赵专干", passed=False, note="未整改"
    )
    with pytest.raises(ApplicationError, match="待复查"), unchanged():
        services.hazard_reinspect(hazard=hazard, inspected_on=day(5), inspectors="赵专干", passed=True)


def test_awaiting_state_without_any_rectification_is_still_refused(premises, unchanged):
    # Only reachable by bypassing the services; the re-inspection still needs a rectification.
    hazard = open_hazard(premises=premises)
    Hazard.objects.filter(pk=hazard.pk).update(status=S.AWAITING_VERIFICATION)
    with pytest.raises(ApplicationError, match="没有整改记录"), unchanged():
        services.hazard_reinspect(hazard=hazard, inspected_on=day(2), inspectors="赵专干", passed=True)


def test_start_rectifying_only_from_open(premises, unchanged):
    for hazard in (awaiting_hazard(premises=premises), verified_hazard(premises=premises)):
        with pytest.raises(ApplicationError, match="只有“待整改”"), unchanged():
            services.hazard_start_rectifying(hazard=hazard)
    rectifying = services.hazard_start_rectifying(hazard=open_hazard(premises=premises))
    with pytest.raises(ApplicationError, match="只有“待整改”"), unchanged():
        services.hazard_start_rectifying(hazard=rectifying)


def test_rectify_refused_while_awaiting_verification_or_verified(premises, unchanged):
    for hazard in (awaiting_hazard(premises=premises), verified_hazard(premises=premises)):
        with pytest.raises(ApplicationError, match="才能提交整改"), unchanged():
            rectify(hazard, on=day(6))


def test_rectified_on_cannot_precede_discovery(premises, unchanged):
    hazard = open_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="不能早于隐患发现日期"), unchanged():
        rectify(hazard, on=day(-1))


def test_rectified_on_cannot_be_in_the_future(premises, unchanged):
    hazard = open_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="不能晚于今天"), unchanged():
        rectify(hazard, on=timezone.localdate() + dt.timedelta(days=1))


def test_a_new_rectification_cannot_predate_the_failed_reinspection(premises, unchanged):
    hazard = awaiting_hazard(premises=premises)
    services.hazard_reinspect(
        hazard=hazard, inspected_on=day(6), inspectors="赵专干", passed=False, note="未整改"
    )
    with pytest.raises(ApplicationError, match="不能早于上次复查日期"), unchanged():
        rectify(hazard, on=day(5))


def test_reinspection_cannot_precede_the_rectification(premises, unchanged):
    hazard = awaiting_hazard(premises=premises, rectified_on=day(3))
    with pytest.raises(ApplicationError, match="复查日期不能早于整改完成日期"), unchanged():
        services.hazard_reinspect(hazard=hazard, inspected_on=day(2), inspectors="赵专干", passed=True)


def test_reinspection_cannot_be_in_the_future(premises, unchanged):
    hazard = awaiting_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="复查日期不能晚于今天"), unchanged():
        services.hazard_reinspect(
            hazard=hazard,
            inspected_on=timezone.localdate() + dt.timedelta(days=1),
            inspectors="赵专干",
            passed=True,
        )


def test_a_failed_reinspection_must_say_what_is_unfixed(premises, unchanged):
    hazard = awaiting_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="写明未整改到位"), unchanged():
        services.hazard_reinspect(
            hazard=hazard, inspected_on=day(4), inspectors="赵专干", passed=False, note=" "
        )


def test_reinspection_on_the_rectification_day_verifies(premises):
    hazard = awaiting_hazard(premises=premises, rectified_on=day(3))
    reinspection = services.hazard_reinspect(
        hazard=hazard, inspected_on=day(3), inspectors="赵专干", passed=True
    )
    hazard.refresh_from_db()
    assert (hazard.status, hazard.verified_on) == (S.VERIFIED, day(3))
    assert Reinspection.objects.get() == reinspection
    assert Rectification.objects.count() == 1


# --- deadline extension --------------------------------------------------------------------


def test_extend_deadline_moves_it_later_and_keeps_the_reason_and_user(premises, user):
    hazard = open_hazard(premises=premises)
    hazard = services.hazard_extend_deadline(
        hazard=hazard, new_deadline=day(30), reason="需更换整条线路", by=user
    )
    assert hazard.deadline == day(30)
    record = hazard.history.latest()
    assert record.history_user == user
    assert "需更换整条线路" in record.history_change_reason


def test_extend_deadline_is_allowed_while_awaiting_verification(premises):
    hazard = awaiting_hazard(premises=premises)
    assert services.hazard_extend_deadline(
        hazard=hazard, new_deadline=day(20), reason="等待复查"
    ).deadline == day(20)


def test_a_verified_hazard_deadline_cannot_be_extended(premises, unchanged):
    hazard = verified_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="已复查销号"), unchanged():
        services.hazard_extend_deadline(hazard=hazard, new_deadline=day(30), reason="x")


def test_a_deadline_cannot_be_moved_before_discovery(premises, unchanged):
    hazard = open_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="整改期限不能早于发现日期"), unchanged():
        services.hazard_extend_deadline(hazard=hazard, new_deadline=day(-1), reason="x")


def test_a_deadline_extension_must_be_later_than_the_current_deadline(premises, unchanged):
    hazard = open_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="应晚于原期限"), unchanged():
        services.hazard_extend_deadline(hazard=hazard, new_deadline=hazard.deadline, reason="x")


def test_a_deadline_extension_needs_a_reason(premises, unchanged):
    hazard = open_hazard(premises=premises)
    with pytest.raises(ApplicationError, match="必须说明理由"), unchanged():
        services.hazard_extend_deadline(hazard=hazard, new_deadline=day(30), reason="  ")
