import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inspections import services
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistItem,
    ChecklistResult,
    HandoverAction,
    Hazard,
    HazardDeadlineTally,
    HazardHandover,
    HazardPhoto,
    HazardSupervision,
    HazardTally,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from tests.inspections.factories import (
    INSPECTED_ON,
    awaiting_hazard,
    evidence_file,
    open_hazard,
    record_inspection,
    snapshot,
)

pytestmark = pytest.mark.django_db

S = Hazard.Status


def url(model, view, *args):
    return reverse(f"admin:inspections_{model._meta.model_name}_{view}", args=args)


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def every_model(plan, premises, items, township):
    """One saved row of every model of the app, written through the services."""
    inspection = record_inspection(
        premises=premises, plan=plan, results=[{"item": items[0], "result": "fail", "note": "后门堵塞"}]
    )
    hazard = inspection.hazards.get()
    rectification = services.hazard_rectify(
        hazard=hazard,
        rectified_on=INSPECTED_ON + dt.timedelta(days=2),
        rectified_by="王老板",
        measures="清理",
    )
    reinspection = services.hazard_reinspect(
        hazard=hazard,
        inspected_on=INSPECTED_ON + dt.timedelta(days=3),
        inspectors="赵专干",
        passed=False,
        note="未清完",
    )
    photo = services.hazard_photo_add(hazard=hazard, image=evidence_file("现场.png"))
    accountability = services.accountability_record(
        township=township,
        premises=premises,
        hazard=hazard,
        person="王老板",
        unit=premises.name,
        finding="整改不到位",
        sanction="警告",
        decided_by="县消防工作办公室",
        decided_on=dt.date(2022, 1, 5),
    )
    return {
        Campaign: plan.campaign,
        InspectionPlan: plan,
        ChecklistItem: items[0],
        Inspection: inspection,
        ChecklistResult: inspection.results.get(),
        Hazard: hazard,
        Rectification: rectification,
        Reinspection: reinspection,
        Accountability: accountability,
        HazardPhoto: photo,
    }


MODELS = [
    Campaign,
    InspectionPlan,
    ChecklistItem,
    Inspection,
    ChecklistResult,
    Hazard,
    Rectification,
    Reinspection,
    Accountability,
    HazardPhoto,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_admin_page_of_the_app_renders_for_a_superuser(admin_client, every_model, model):
    obj = every_model[model]
    for address in (
        url(model, "changelist"),
        url(model, "changelist") + "?q=王",
        url(model, "add"),
        url(model, "change", obj.pk),
        url(model, "history", obj.pk),
    ):
        response = admin_client.get(address)
        assert response.status_code == 200, address


def test_every_model_of_the_app_is_registered():
    from django.apps import apps
    from django.contrib import admin

    models = [
        m for m in apps.get_app_config("inspections").get_models() if not m.__name__.startswith("Historical")
    ]
    processes = {HazardHandover, HandoverAction, HazardSupervision}  # read-only: written by their services
    assert set(models) == set(MODELS) | {HazardTally, HazardDeadlineTally} | processes
    assert all(m in admin.site._registry for m in models)


def test_the_kept_figures_are_read_only_in_the_admin(admin_client):
    for model in (HazardTally, HazardDeadlineTally):
        assert admin_client.get(url(model, "changelist")).status_code == 200
        assert admin_client.get(url(model, "add")).status_code == 403


# --- inspections through the admin ---------------------------------------------------------


def _inspection_post(premises, items, *, deadline, **extra):
    data = {
        "premises": premises.pk,
        "kind": "township",
        "inspected_on": INSPECTED_ON.isoformat(),
        "inspectors": "赵专干",
        "plan": "",
        "police_station": "",
        "signed_by": "王老板",
        "notes": "",
        **management("results", 1),
        "results-0-item": items[0].pk,
        "results-0-result": "fail",
        "results-0-note": "出口堵塞",
        **management("hazards", 1),
        "hazards-0-severity": "major",
        "hazards-0-description": "安全出口堵塞",
        "hazards-0-deadline": deadline.isoformat(),
        "hazards-0-responsible_person": "王老板",
        "hazards-0-checklist_item": items[0].pk,
    }
    data.update(extra)
    return data


def test_adding_an_inspection_in_the_admin_goes_through_the_service(
    admin_client, admin_user, premises, items
):
    response = admin_client.post(
        url(Inspection, "add"),
        _inspection_post(premises, items, deadline=INSPECTED_ON + dt.timedelta(days=3)),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    inspection = Inspection.objects.get()
    assert inspection.recorded_by == admin_user
    assert inspection.township == premises.township
    assert inspection.results.get().result == "fail"
    hazard = inspection.hazards.get()
    assert (hazard.status, hazard.discovered_on, hazard.township) == (S.OPEN, INSPECTED_ON, premises.township)
    assert hazard.history.get().history_user == admin_user
    premises.refresh_from_db()
    assert premises.last_inspected_on == INSPECTED_ON


def test_admin_refuses_a_hazard_deadline_before_the_inspection_and_writes_nothing(
    admin_client, premises, items
):
    before = snapshot()
    response = admin_client.post(
        url(Inspection, "add"),
        _inspection_post(premises, items, deadline=INSPECTED_ON - dt.timedelta(days=1)),
    )
    assert response.status_code == 200
    assert "整改期限不能早于发现日期" in response.content.decode()
    assert snapshot() == before


def test_admin_refuses_a_police_inspection_without_a_station(admin_client, premises, items):
    before = snapshot()
    data = _inspection_post(premises, items, deadline=INSPECTED_ON, kind="police")
    response = admin_client.post(url(Inspection, "add"), data)
    assert response.status_code == 200
    assert "派出所检查必须填写派出所" in response.content.decode()
    assert snapshot() == before


def _inspection_change_post(inspection, hazard, *, deadline):
    return {
        "inspectors": inspection.inspectors,
        "signed_by": "",
        "notes": "补录隐患",
        **management("results", 0),
        **management("hazards", 2, 1),
        "hazards-0-id": hazard.pk,
        "hazards-0-inspection": inspection.pk,
        "hazards-1-inspection": inspection.pk,
        "hazards-1-severity": "general",
        "hazards-1-description": "灭火器过期",
        "hazards-1-deadline": deadline.isoformat(),
        "hazards-1-responsible_person": "王老板",
    }


def test_admin_adds_a_hazard_to_a_recorded_inspection_through_the_service(admin_client, admin_user, premises):
    inspection = record_inspection(premises=premises)
    hazard = inspection.hazards.get()
    response = admin_client.post(
        url(Inspection, "change", inspection.pk),
        _inspection_change_post(inspection, hazard, deadline=INSPECTED_ON),
    )
    assert response.status_code == 302
    added = inspection.hazards.exclude(pk=hazard.pk).get()
    assert (added.status, added.discovered_on) == (S.OPEN, INSPECTED_ON)
    assert added.history.get().history_user == admin_user


def test_admin_refuses_a_late_added_hazard_with_an_early_deadline(admin_client, premises):
    inspection = record_inspection(premises=premises)
    hazard = inspection.hazards.get()
    before = snapshot()
    response = admin_client.post(
        url(Inspection, "change", inspection.pk),
        _inspection_change_post(inspection, hazard, deadline=INSPECTED_ON - dt.timedelta(days=1)),
    )
    assert response.status_code == 200
    assert "整改期限不能早于发现日期" in response.content.decode()
    assert snapshot() == before


def test_hazard_admin_add_refuses_a_deadline_before_discovery(admin_client, premises):
    inspection = record_inspection(premises=premises, hazards=[])
    before = snapshot()
    response = admin_client.post(
        url(Hazard, "add"),
        {
            "inspection": inspection.pk,
            "severity": "general",
            "description": "x",
            "deadline": (INSPECTED_ON - dt.timedelta(days=1)).isoformat(),
            "responsible_person": "王老板",
            **management("rectifications"),
            **management("reinspections"),
            **management("photos"),
        },
    )
    assert response.status_code == 200
    assert "整改期限不能早于发现日期" in response.content.decode()
    assert snapshot() == before


# --- hazards: status only through the loop -------------------------------------------------


def _hazard_change_post(hazard, **overrides):
    data = {
        "severity": hazard.severity,
        "description": hazard.description,
        "deadline": hazard.deadline.isoformat(),
        "deadline_reason": "",
        "responsible_person": hazard.responsible_person,
        **management("rectifications"),
        **management("reinspections"),
        **management("photos"),
    }
    data.update(overrides)
    return data


def test_hazard_admin_cannot_set_the_status_or_verified_on(admin_client, premises):
    hazard = open_hazard(premises=premises)
    response = admin_client.post(
        url(Hazard, "change", hazard.pk),
        _hazard_change_post(hazard, status="verified", verified_on="2021-11-25", description="已改描述"),
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.status, hazard.verified_on, hazard.description) == (S.OPEN, None, "已改描述")


def test_hazard_admin_deadline_change_needs_a_reason(admin_client, premises):
    hazard = open_hazard(premises=premises)
    new = (hazard.deadline + dt.timedelta(days=10)).isoformat()
    before = snapshot()
    response = admin_client.post(url(Hazard, "change", hazard.pk), _hazard_change_post(hazard, deadline=new))
    assert response.status_code == 200
    assert "延长整改期限必须说明理由" in response.content.decode()
    assert snapshot() == before


def test_hazard_admin_deadline_change_extends_through_the_service(admin_client, admin_user, premises):
    hazard = open_hazard(premises=premises)
    new = hazard.deadline + dt.timedelta(days=10)
    response = admin_client.post(
        url(Hazard, "change", hazard.pk),
        _hazard_change_post(hazard, deadline=new.isoformat(), deadline_reason="需停业整改"),
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.deadline == new
    record = hazard.history.latest()
    assert record.history_user == admin_user
    assert "需停业整改" in record.history_change_reason


def test_start_rectifying_action_moves_open_hazards(admin_client, admin_user, premises):
    hazard = open_hazard(premises=premises)
    response = admin_client.post(
        url(Hazard, "changelist"), {"action": "start_rectifying", "_selected_action": [hazard.pk]}
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == S.RECTIFYING
    assert hazard.history.latest().history_user == admin_user


def test_start_rectifying_action_refuses_a_hazard_awaiting_verification_and_writes_nothing(
    admin_client, premises
):
    hazard = awaiting_hazard(premises=premises)
    before = snapshot()
    response = admin_client.post(
        url(Hazard, "changelist"),
        {"action": "start_rectifying", "_selected_action": [hazard.pk]},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("只有“待整改”的隐患才能开始整改" in t for t in texts)
    assert snapshot() == before


def _reinspection_post(hazard, **overrides):
    data = {
        "hazard": hazard.pk,
        "inspected_on": (INSPECTED_ON + dt.timedelta(days=5)).isoformat(),
        "inspectors": "赵专干",
        "passed": "on",
        "note": "",
    }
    data.update(overrides)
    return data


def test_admin_cannot_verify_a_hazard_without_a_rectification(admin_client, premises):
    hazard = open_hazard(premises=premises)
    before = snapshot()
    response = admin_client.post(url(Reinspection, "add"), _reinspection_post(hazard))
    assert response.status_code == 200
    assert "只有“待复查”的隐患才能复查" in response.content.decode()
    assert snapshot() == before


def test_admin_rectification_then_passed_reinspection_verifies(admin_client, admin_user, premises):
    hazard = open_hazard(premises=premises)
    response = admin_client.post(
        url(Rectification, "add"),
        {
            "hazard": hazard.pk,
            "rectified_on": (INSPECTED_ON + dt.timedelta(days=2)).isoformat(),
            "rectified_by": "王老板",
            "measures": "清理出口杂物",
        },
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == S.AWAITING_VERIFICATION
    assert Rectification.objects.get().submitted_by == admin_user

    response = admin_client.post(url(Reinspection, "add"), _reinspection_post(hazard))
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.status, hazard.verified_on) == (S.VERIFIED, INSPECTED_ON + dt.timedelta(days=5))
    assert Reinspection.objects.get().recorded_by == admin_user


def test_admin_failed_reinspection_needs_a_note(admin_client, premises):
    hazard = awaiting_hazard(premises=premises)
    before = snapshot()
    data = _reinspection_post(hazard)
    del data["passed"]
    response = admin_client.post(url(Reinspection, "add"), data)
    assert response.status_code == 200
    assert "写明未整改到位" in response.content.decode()
    assert snapshot() == before


def test_rectifications_and_reinspections_are_not_editable_in_the_admin(admin_client, every_model):
    for model in (Rectification, Reinspection):
        obj = every_model[model]
        assert admin_client.post(url(model, "change", obj.pk), {}).status_code == 403
        assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert (
        admin_client.post(url(Hazard, "delete", every_model[Hazard].pk), {"post": "yes"}).status_code == 403
    )


# --- campaigns, plans, accountability ------------------------------------------------------


def test_campaign_admin_refuses_an_end_before_the_start(admin_client, county):
    before = snapshot()
    response = admin_client.post(
        url(Campaign, "add"),
        {
            "county": county.pk,
            "name": "倒置",
            "kind": "special",
            "starts_on": "2022-05-02",
            "ends_on": "2022-05-01",
            "description": "",
            **management("plans"),
        },
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert snapshot() == before


def test_campaign_admin_creates_through_the_service_with_a_valid_plan(
    admin_client, admin_user, county, township, premises
):
    response = admin_client.post(
        url(Campaign, "add"),
        {
            "county": county.pk,
            "name": "2022年专项整治",
            "kind": "special",
            "starts_on": "2022-05-01",
            "ends_on": "2022-06-30",
            "description": "",
            **management("plans", 1),
            "plans-0-title": "褚庙乡专项检查",
            "plans-0-township": township.pk,
            "plans-0-due_on": "2022-06-15",
            "plans-0-premises": [premises.pk],
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="2022年专项整治")
    assert campaign.history.get().history_user == admin_user
    plan = campaign.plans.get()
    assert list(plan.premises.all()) == [premises]
    assert {h.history_user for h in plan.history.all()} == {admin_user}


def test_campaign_admin_edits_an_existing_plan_within_the_rules(admin_client, plan, premises):
    campaign = plan.campaign
    data = {
        "county": campaign.county_id,
        "name": campaign.name,
        "kind": campaign.kind,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "description": "",
        **management("plans", 1, 1),
        "plans-0-id": plan.pk,
        "plans-0-campaign": campaign.pk,
        "plans-0-title": "改名后的计划",
        "plans-0-township": plan.township_id,
        "plans-0-due_on": "2022-01-15",
        "plans-0-premises": [premises.pk],
    }
    assert admin_client.post(url(Campaign, "change", campaign.pk), data).status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.due_on) == ("改名后的计划", dt.date(2022, 1, 15))

    data["plans-0-due_on"] = "2022-06-01"  # after the campaign
    response = admin_client.post(url(Campaign, "change", campaign.pk), data)
    assert response.status_code == 200
    assert "防控行动期间" in response.content.decode()
    plan.refresh_from_db()
    assert plan.due_on == dt.date(2022, 1, 15)


def test_campaign_admin_refuses_a_plan_deadline_outside_the_campaign(
    admin_client, county, township, premises
):
    before = snapshot()
    response = admin_client.post(
        url(Campaign, "add"),
        {
            "county": county.pk,
            "name": "2022年专项整治",
            "kind": "special",
            "starts_on": "2022-05-01",
            "ends_on": "2022-06-30",
            **management("plans", 1),
            "plans-0-title": "褚庙乡专项检查",
            "plans-0-township": township.pk,
            "plans-0-due_on": "2022-07-15",
            "plans-0-premises": [premises.pk],
        },
    )
    assert response.status_code == 200
    assert "防控行动期间" in response.content.decode()
    assert snapshot() == before


def test_plan_admin_refuses_premises_of_another_township(admin_client, campaign, township, other_premises):
    before = snapshot()
    response = admin_client.post(
        url(InspectionPlan, "add"),
        {
            "campaign": campaign.pk,
            "township": township.pk,
            "police_station": "",
            "title": "计划",
            "due_on": "2021-12-31",
            "premises": [other_premises.pk],
        },
    )
    assert response.status_code == 200
    assert "不能列入该乡镇的检查计划" in response.content.decode()
    assert snapshot() == before


def test_plan_admin_creates_through_the_service(admin_client, admin_user, campaign, township, premises):
    response = admin_client.post(
        url(InspectionPlan, "add"),
        {
            "campaign": campaign.pk,
            "township": township.pk,
            "title": "计划",
            "due_on": "2021-12-31",
            "premises": [premises.pk],
        },
    )
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    assert list(plan.premises.all()) == [premises]
    assert {h.history_user for h in plan.history.all()} == {admin_user}


def test_accountability_admin_refuses_a_record_without_subject(admin_client, township):
    before = snapshot()
    response = admin_client.post(
        url(Accountability, "add"),
        {
            "township": township.pk,
            "person": "某人",
            "unit": "某单位",
            "finding": "x",
            "sanction": "x",
            "decided_by": "x",
            "decided_on": "2022-01-05",
        },
    )
    assert response.status_code == 200
    assert "至少要关联" in response.content.decode()
    assert snapshot() == before


def test_accountability_admin_records_through_the_service(admin_client, admin_user, township, premises):
    response = admin_client.post(
        url(Accountability, "add"),
        {
            "township": township.pk,
            "premises": premises.pk,
            "person": "王老板",
            "unit": premises.name,
            "finding": "x",
            "sanction": "警告",
            "decided_by": "县消防工作办公室",
            "decided_on": "2022-01-05",
        },
    )
    assert response.status_code == 302
    assert Accountability.objects.get().history.get().history_user == admin_user


def test_checklist_item_order_and_activity_are_editable_in_the_list(admin_client, items):
    item = items[0]
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "3",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    for i, it in enumerate(ChecklistItem.objects.order_by("order", "code")):
        data[f"form-{i}-id"] = it.pk
        data[f"form-{i}-order"] = 9 if it == item else it.order
        if it != item:
            data[f"form-{i}-is_active"] = "on"
    response = admin_client.post(url(ChecklistItem, "changelist"), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.order, item.is_active) == (9, False)


def test_an_inactive_checklist_item_is_refused_in_the_result_admin(admin_client, premises, inactive_item):
    inspection = record_inspection(premises=premises, hazards=[])
    before = snapshot()
    response = admin_client.post(
        url(ChecklistResult, "add"), {"inspection": inspection.pk, "item": inactive_item.pk, "result": "pass"}
    )
    assert response.status_code == 200
    assert "已停用" in response.content.decode()
    assert snapshot() == before
