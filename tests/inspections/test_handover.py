"""Hand-over to the county fire rescue authority (移交消防救援机构) and 挂牌督办, through their services:
who may take each step, the refusals (which write nothing), and the steps on the premises' trace-back."""

import datetime as dt

import pytest

from core.exceptions import AccessDenied, ApplicationError, ConflictError
from core.models import Role
from inspections import selectors, services
from inspections.models import HandoverAction, Hazard, HazardHandover
from tests.factories import CountyFactory, make_user
from tests.inspections.factories import (
    INSPECTED_ON,
    awaiting_hazard,
    evidence_file,
    open_hazard,
    verified_hazard,
)

pytestmark = pytest.mark.django_db

S = HazardHandover.Status
TODAY = services.local_today()


@pytest.fixture
def lead(township):
    return make_user(Role.TOWNSHIP_LEAD, username="chumiao-lead", township=township)


@pytest.fixture
def fire_rescue(county):
    return make_user(Role.FIRE_RESCUE, username="fire-rescue", county=county)


@pytest.fixture
def office(county):
    return make_user(Role.COUNTY_OFFICIAL, username="office", county=county)


def hand_over(hazard, *, by, **kwargs):
    kwargs.setdefault("evidence", evidence_file())
    kwargs.setdefault("reason", "单位拒不整改，乡镇无执法权")
    return services.hazard_hand_over(hazard=hazard, by=by, **kwargs)


# -- hand-over -----------------------------------------------------------------------------------


def test_hand_over_then_actions_and_outcome_appear_on_the_trace_back(premises, lead, fire_rescue):
    hazard = open_hazard(premises=premises, by=lead)
    handover = hand_over(hazard, by=lead, handed_over_on=INSPECTED_ON + dt.timedelta(days=1))
    assert (handover.status, handover.handed_over_by, bool(handover.evidence)) == (S.HANDED_OVER, lead, True)

    services.handover_record_action(
        handover=handover, kind=HandoverAction.Kind.ACCEPTED, taken_on=INSPECTED_ON + dt.timedelta(days=2),
        by=fire_rescue,
    )  # fmt: skip
    services.handover_record_action(
        handover=handover, kind=HandoverAction.Kind.SEALED, taken_on=INSPECTED_ON + dt.timedelta(days=3),
        note="查封仓库", by=fire_rescue,
    )  # fmt: skip
    closed = services.handover_close(
        handover=handover, outcome="责令整改到位，解除查封", closed_on=INSPECTED_ON + dt.timedelta(days=4),
        by=fire_rescue,
    )  # fmt: skip
    assert (closed.status, closed.ended_by, closed.outcome) == (
        S.CLOSED,
        fire_rescue,
        "责令整改到位，解除查封",
    )
    # The hazard's own loop is untouched: it is still the township's to rectify and verify.
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.OPEN

    trace = selectors.premises_trace(premises=premises)
    steps = [(e.date - INSPECTED_ON).days for e in trace.events if e.kind.startswith("handover")]
    kinds = [e.kind for e in trace.events if e.kind.startswith("handover")]
    assert list(zip(steps, kinds, strict=True)) == [
        (1, "handover"),
        (2, "handover_action"),
        (3, "handover_action"),
        (4, "handover_closed"),
    ]
    titles = [e.title for e in trace.events if e.kind.startswith("handover")]
    assert titles[0] == "移交消防救援机构：单位拒不整改，乡镇无执法权"
    assert titles[2] == "消防救援机构：临时查封（查封仓库）"
    assert titles[3] == "消防救援机构办结：责令整改到位，解除查封"


def test_fire_rescue_hands_a_hazard_back_and_the_township_may_hand_it_over_again(premises, lead, fire_rescue):
    hazard = open_hazard(premises=premises, by=lead)
    first = hand_over(hazard, by=lead)
    returned = services.handover_return(handover=first, reason="属一般隐患，由乡镇督促整改", by=fire_rescue)
    assert returned.status == S.RETURNED
    again = hand_over(hazard, by=lead, reason="再次督促仍拒不整改")
    assert again.pk != first.pk
    trace = selectors.premises_trace(premises=premises)
    assert "消防救援机构退回乡镇：属一般隐患，由乡镇督促整改" in [e.title for e in trace.events]


def test_hazard_of_another_township_cannot_be_handed_over(other_premises, lead, unchanged):
    hazard = open_hazard(premises=other_premises)
    with unchanged(), pytest.raises(AccessDenied):
        hand_over(hazard, by=lead)


@pytest.mark.parametrize("make", [awaiting_hazard, verified_hazard])
def test_a_rectified_or_verified_hazard_cannot_be_handed_over(premises, lead, unchanged, make):
    hazard = make(premises=premises, by=lead)
    with unchanged(), pytest.raises(ConflictError):
        hand_over(hazard, by=lead)


def test_a_hazard_cannot_be_handed_over_twice(premises, lead, user, unchanged):
    hazard = open_hazard(premises=premises, by=lead)
    hand_over(hazard, by=lead)
    with unchanged(), pytest.raises(ConflictError, match="不能重复移交"):
        hand_over(hazard, by=user)


@pytest.mark.parametrize(("field", "value"), [("reason", "  "), ("evidence", None)])
def test_hand_over_needs_a_reason_and_evidence(premises, lead, unchanged, field, value):
    hazard = open_hazard(premises=premises, by=lead)
    with unchanged(), pytest.raises(ApplicationError):
        hand_over(hazard, by=lead, **{field: value})


@pytest.mark.parametrize("role", ["lead", "user", "office"])
def test_only_the_fire_rescue_authority_records_actions_and_ends_a_hand_over(
    premises, lead, user, office, unchanged, role
):
    by = {"lead": lead, "user": user, "office": office}[role]
    handover = hand_over(open_hazard(premises=premises, by=lead), by=lead)
    with unchanged():
        with pytest.raises(AccessDenied):
            services.handover_record_action(handover=handover, kind=HandoverAction.Kind.ACCEPTED, by=by)
        with pytest.raises(AccessDenied):
            services.handover_close(handover=handover, outcome="已办结", by=by)
        with pytest.raises(AccessDenied):
            services.handover_return(handover=handover, reason="退回", by=by)


def test_fire_rescue_of_another_county_cannot_act(premises, lead, unchanged):
    stranger = make_user(Role.FIRE_RESCUE, county=CountyFactory(name="宁陵县"))
    handover = hand_over(open_hazard(premises=premises, by=lead), by=lead)
    with unchanged(), pytest.raises(AccessDenied):
        services.handover_record_action(handover=handover, kind=HandoverAction.Kind.ACCEPTED, by=stranger)


def test_an_ended_hand_over_takes_no_more_steps_and_ending_needs_words(
    premises, lead, fire_rescue, unchanged
):
    handover = hand_over(open_hazard(premises=premises, by=lead), by=lead)
    with unchanged(), pytest.raises(ApplicationError, match="办理结果"):
        services.handover_close(handover=handover, outcome=" ", by=fire_rescue)
    services.handover_close(handover=handover, outcome="已依法查处", by=fire_rescue)
    with unchanged(), pytest.raises(ConflictError):
        services.handover_record_action(handover=handover, kind=HandoverAction.Kind.ORDERED, by=fire_rescue)
    with unchanged(), pytest.raises(ConflictError):
        services.handover_return(handover=handover, reason="退回", by=fire_rescue)


def test_fire_rescue_cannot_write_the_townships_loop(premises, lead, fire_rescue, unchanged):
    hazard = open_hazard(premises=premises, by=lead, severity=Hazard.Severity.MAJOR)
    with unchanged():
        with pytest.raises(AccessDenied):
            services.hazard_start_rectifying(hazard=hazard, by=fire_rescue)
        with pytest.raises(AccessDenied):
            hand_over(hazard, by=fire_rescue)
        with pytest.raises(AccessDenied):
            services.hazard_supervise(hazard=hazard, leader="王", deadline=TODAY, by=fire_rescue)


# -- 挂牌督办 -----------------------------------------------------------------------------------


def test_county_lists_a_major_hazard_and_lifts_it_with_a_reason(premises, lead, office):
    hazard = open_hazard(premises=premises, by=lead, severity=Hazard.Severity.MAJOR)
    listed = services.hazard_supervise(
        hazard=hazard, leader="王景义", leader_phone="13800000000", deadline=TODAY + dt.timedelta(days=10),
        requirement="十日内整改到位", by=office,
    )  # fmt: skip
    assert [s.pk for s in selectors.supervision_list(user=office, filters={"listed": "true"})] == [listed.pk]
    lifted = services.supervision_lift(supervision=listed, reason="已整改并复查合格", by=office)
    assert (lifted.lifted_by, lifted.lift_reason, lifted.lifted_on) == (office, "已整改并复查合格", TODAY)
    assert list(selectors.supervision_list(user=office, filters={"listed": "true"})) == []
    kinds = [e.kind for e in selectors.premises_trace(premises=premises).events]
    assert kinds[-2:] == ["supervised", "supervision_lifted"]


def test_a_general_hazard_cannot_be_listed(premises, lead, office, unchanged):
    hazard = open_hazard(premises=premises, by=lead)
    with unchanged(), pytest.raises(ConflictError, match="重大火灾隐患"):
        services.hazard_supervise(hazard=hazard, leader="王景义", deadline=TODAY, by=office)


def test_a_hazard_is_listed_once_and_only_by_the_county(premises, lead, office, unchanged):
    hazard = open_hazard(premises=premises, by=lead, severity=Hazard.Severity.MAJOR)
    with unchanged(), pytest.raises(AccessDenied):
        services.hazard_supervise(hazard=hazard, leader="王景义", deadline=TODAY, by=lead)
    services.hazard_supervise(hazard=hazard, leader="王景义", deadline=TODAY, by=office)
    with unchanged(), pytest.raises(ConflictError):
        services.hazard_supervise(hazard=hazard, leader="王景义", deadline=TODAY, by=office)


def test_lifting_needs_a_reason_and_the_county(premises, lead, office, unchanged):
    hazard = open_hazard(premises=premises, by=lead, severity=Hazard.Severity.MAJOR)
    listed = services.hazard_supervise(hazard=hazard, leader="王景义", deadline=TODAY, by=office)
    with unchanged(), pytest.raises(ApplicationError, match="理由"):
        services.supervision_lift(supervision=listed, reason="  ", by=office)
    with unchanged(), pytest.raises(AccessDenied):
        services.supervision_lift(supervision=listed, reason="已整改", by=lead)
