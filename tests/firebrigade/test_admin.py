import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from firebrigade import services
from firebrigade.models import (
    Brigade,
    BrigadeMember,
    Disbursement,
    EquipmentItem,
    FireGrade,
    FireIncident,
    FireReportingRule,
    FundingAllocation,
)
from tests.factories import (
    BrigadeFactory,
    BrigadeMemberFactory,
    BrigadeStandardFactory,
    EquipmentItemFactory,
    EquipmentRequirementFactory,
    EquipmentTypeFactory,
    FireIncidentFactory,
    FundingAllocationFactory,
    PremisesFactory,
    TownshipFactory,
    UserFactory,
)
from tests.firebrigade.factories import brigade_meeting_standard, class2_standard, established_brigade, staff

pytestmark = pytest.mark.django_db

APP = "firebrigade"


@pytest.fixture
def superuser_client(client):
    user = UserFactory(username="center-admin", is_superuser=True, is_staff=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def one_of_each():
    brigade = BrigadeFactory()
    member = BrigadeMemberFactory(brigade=brigade)
    EquipmentItemFactory(brigade=brigade)
    # The archive (一队一档): one record of each kind, through its service.
    day = dt.date(2021, 12, 1)
    services.training_record(
        brigade=brigade, kind="drill", held_on=day, hours=Decimal(1), topic="演练", participants=[member]
    )
    services.duty_roster_add(brigade=brigade, duty_on=day, leader=member, members=[member])
    services.call_out_record(
        brigade=brigade, kind="rescue", called_at=timezone.now() - dt.timedelta(hours=1), address="东街"
    )
    services.publicity_record(brigade=brigade, held_on=day, kind="lecture", place="小学")
    services.brigade_document_add(
        brigade=brigade,
        kind="founding",
        title="建队批复",
        file=SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf"),
    )
    BrigadeMemberFactory(brigade=brigade)
    item = EquipmentItemFactory(brigade=brigade)
    services.equipment_code_issue(item=item, by=None)
    services.equipment_check_record(item=item, result="good", by=None)
    EquipmentRequirementFactory(standard=BrigadeStandardFactory())
    allocation = FundingAllocationFactory()
    Disbursement.objects.create(allocation=allocation, amount=Decimal(1), disbursed_on=dt.date(2021, 12, 1))
    FireIncidentFactory(premises=PremisesFactory(), responding_brigade=brigade)
    # Seeded by a migration, but gone after a transactional test flushed the tables.
    FireReportingRule.objects.get_or_create(
        grade=FireGrade.GENERAL, defaults={"hours": 24, "hours_with_deaths": 2}
    )


def _models():
    return sorted(
        (m for m in admin.site._registry if m._meta.app_label == APP), key=lambda m: m._meta.model_name
    )


def _url(model, view, *args):
    return reverse(f"admin:{APP}_{model._meta.model_name}_{view}", args=args)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_every_model_of_the_app_is_registered_with_history():
    expected = {m for m in apps.get_app_config(APP).get_models() if not m.__name__.startswith("Historical")}
    assert set(_models()) == expected
    for model in expected:
        assert hasattr(admin.site._registry[model], "history_view")


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_admin_pages_render_for_a_superuser(superuser_client, one_of_each, model):
    obj = model.objects.first()
    for url in [
        _url(model, "changelist"),
        _url(model, "add"),
        _url(model, "change", obj.pk),
        _url(model, "history", obj.pk),
    ]:
        response = superuser_client.get(url)
        assert response.status_code == 200, url


def test_search_works_on_the_searchable_changelists(superuser_client, one_of_each):
    for model in [Brigade, FireIncident, EquipmentItem._meta.get_field("equipment_type").related_model]:
        response = superuser_client.get(_url(model, "changelist"), {"q": "测试"})
        assert response.status_code == 200


# --- brigade actions ------------------------------------------------------------------------


def _act(client, action, *brigades):
    return client.post(
        _url(Brigade, "changelist"),
        {"action": action, "_selected_action": [b.pk for b in brigades]},
        follow=True,
    )


def test_start_construction_action_moves_a_planned_brigade_and_records_the_user(superuser_client):
    brigade = BrigadeFactory()

    response = _act(superuser_client, "start_construction", brigade)

    brigade.refresh_from_db()
    assert brigade.status == Brigade.Status.UNDER_CONSTRUCTION
    assert brigade.construction_started_on == timezone.localdate()
    assert brigade.history.first().history_user == superuser_client.user
    assert "已开始建设" in _messages(response)


def test_mark_established_action_refuses_a_planned_brigade(superuser_client):
    brigade = BrigadeFactory()

    response = _act(superuser_client, "mark_established", brigade)

    brigade.refresh_from_db()
    assert brigade.status == Brigade.Status.PLANNED
    assert brigade.established_on is None
    assert "须先完成“建设中”" in _messages(response)


def test_accept_action_refuses_a_brigade_below_standard_and_writes_nothing(superuser_client):
    class2_standard()
    brigade = established_brigade()
    staff(brigade, 5)
    history_before = brigade.history.count()

    response = _act(superuser_client, "accept", brigade)

    brigade.refresh_from_db()
    assert brigade.status == Brigade.Status.ESTABLISHED
    assert brigade.accepted_on is None
    assert brigade.history.count() == history_before
    text = _messages(response)
    assert "在岗队员 5 人，低于二级专职消防队标准 8 人" in text
    assert "已通过验收" not in text


def test_accept_action_accepts_a_brigade_meeting_the_standard_in_the_centers_name(superuser_client):
    ready = brigade_meeting_standard()
    planned = BrigadeFactory()

    response = _act(superuser_client, "accept", ready, planned)

    ready.refresh_from_db()
    planned.refresh_from_db()
    assert ready.status == Brigade.Status.ACCEPTED
    assert ready.accepted_on == timezone.localdate()
    assert ready.accepted_by == "县消防安全检查指导服务中心"
    assert planned.status == Brigade.Status.PLANNED
    text = _messages(response)
    assert "1 支队伍已通过验收" in text
    assert "不能直接转为“已验收”" in text


def test_brigade_status_cannot_be_edited_in_the_form(superuser_client):
    brigade = BrigadeFactory()
    response = superuser_client.get(_url(Brigade, "change", brigade.pk))
    data = _form_data(response)
    data["status"] = Brigade.Status.ACCEPTED
    data["station_address"] = "褚庙乡政府东100米"

    response = superuser_client.post(_url(Brigade, "change", brigade.pk), data)

    assert response.status_code == 302
    brigade.refresh_from_db()
    assert brigade.status == Brigade.Status.PLANNED
    assert brigade.station_address == "褚庙乡政府东100米"


# --- inlines and member / equipment pages go through the services ---------------------------


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _form_data(response) -> dict:
    """The POST a browser would send back for an admin change form, inlines included."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = _value(form[name])
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _value(formset.management_form[name])
        for sub in formset.forms:
            for name in sub.fields:
                value = _value(sub[name])
                if value is not None:
                    data[sub.add_prefix(name)] = value
    return data


def test_equipment_added_in_the_brigade_inline_gets_its_next_maintenance_computed(superuser_client):
    brigade = BrigadeFactory()
    pump = EquipmentTypeFactory(name="手抬机动泵", maintenance_interval_days=90)
    data = _form_data(superuser_client.get(_url(Brigade, "change", brigade.pk)))
    prefix = "equipment"
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data.update(
        {
            f"{prefix}-0-equipment_type": str(pump.pk),
            f"{prefix}-0-quantity": "2",
            f"{prefix}-0-condition": EquipmentItem.Condition.GOOD,
            f"{prefix}-0-last_maintained_on": "2021-11-01",
            f"{prefix}-0-next_maintenance_on": "",
            f"{prefix}-0-note": "",
        }
    )

    response = superuser_client.post(_url(Brigade, "change", brigade.pk), data)

    assert response.status_code == 302
    item = brigade.equipment.get()
    assert item.next_maintenance_on == dt.date(2022, 1, 30)
    assert item.history.first().history_user == superuser_client.user


def test_a_member_leaving_through_the_brigade_inline_goes_off_duty(superuser_client):
    member = BrigadeMemberFactory(hired_on=dt.date(2021, 6, 1))
    data = _form_data(superuser_client.get(_url(Brigade, "change", member.brigade.pk)))
    data["members-0-left_on"] = "2021-12-31"

    response = superuser_client.post(_url(Brigade, "change", member.brigade.pk), data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == dt.date(2021, 12, 31)
    assert member.on_duty is False


def test_a_member_cannot_leave_before_being_hired_in_the_inline(superuser_client):
    member = BrigadeMemberFactory(hired_on=dt.date(2021, 6, 1))
    data = _form_data(superuser_client.get(_url(Brigade, "change", member.brigade.pk)))
    data["members-0-left_on"] = "2021-05-01"

    response = superuser_client.post(_url(Brigade, "change", member.brigade.pk), data)

    assert response.status_code == 200
    assert "早于入职日期" in response.content.decode()
    member.refresh_from_db()
    assert member.left_on is None
    assert member.on_duty is True


def test_member_page_records_a_departure_through_the_service(superuser_client):
    member = BrigadeMemberFactory(hired_on=dt.date(2021, 6, 1))
    data = _form_data(superuser_client.get(_url(BrigadeMember, "change", member.pk)))
    data["left_on"] = "2021-10-01"

    response = superuser_client.post(_url(BrigadeMember, "change", member.pk), data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.left_on, member.on_duty) == (dt.date(2021, 10, 1), False)
    assert member.history.first().history_user == superuser_client.user


def test_equipment_page_refuses_a_next_maintenance_before_the_last(superuser_client):
    item = EquipmentItemFactory()
    data = _form_data(superuser_client.get(_url(EquipmentItem, "change", item.pk)))
    data.update(last_maintained_on="2021-11-01", next_maintenance_on="2021-10-01")

    response = superuser_client.post(_url(EquipmentItem, "change", item.pk), data)

    assert response.status_code == 200
    assert "早于上次保养日期" in response.content.decode()
    item.refresh_from_db()
    assert item.last_maintained_on is None


def test_record_maintenance_action_schedules_the_next(superuser_client):
    item = EquipmentItemFactory(equipment_type=EquipmentTypeFactory(maintenance_interval_days=30))

    superuser_client.post(
        _url(EquipmentItem, "changelist"),
        {"action": "record_maintenance_today", "_selected_action": [item.pk]},
    )

    item.refresh_from_db()
    assert item.last_maintained_on == timezone.localdate()
    assert item.next_maintenance_on == timezone.localdate() + dt.timedelta(days=30)


# --- funding --------------------------------------------------------------------------------


def test_disbursement_added_in_admin_goes_through_the_service(superuser_client):
    allocation = FundingAllocationFactory(amount=Decimal("100000"))
    data = {
        "allocation": allocation.pk,
        "amount": "40000",
        "disbursed_on": "2021-12-01",
        "voucher_no": "记-7",
    }

    response = superuser_client.post(_url(Disbursement, "add"), data)

    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.disbursed_amount == Decimal("40000")
    assert Disbursement.objects.get().recorded_by == superuser_client.user


def test_disbursement_admin_refuses_going_over_budget_and_writes_nothing(superuser_client):
    allocation = FundingAllocationFactory(amount=Decimal("100000"), disbursed_amount=Decimal("90000"))
    data = {"allocation": allocation.pk, "amount": "20000", "disbursed_on": "2021-12-01", "voucher_no": ""}

    response = superuser_client.post(_url(Disbursement, "add"), data)

    assert response.status_code == 200
    assert (
        "到位金额超过预算：预算 100000.00 元，已到位 90000.00 元，本次 20000.00 元"
        in response.content.decode()
    )
    assert not Disbursement.objects.exists()
    allocation.refresh_from_db()
    assert allocation.disbursed_amount == Decimal("90000")


def test_disbursements_cannot_be_changed_or_deleted_in_admin(superuser_client, one_of_each):
    disbursement = Disbursement.objects.get()

    response = superuser_client.post(
        _url(Disbursement, "change", disbursement.pk), {"amount": "999", "disbursed_on": "2021-12-01"}
    )
    assert response.status_code == 403
    assert (
        superuser_client.post(_url(Disbursement, "delete", disbursement.pk), {"post": "yes"}).status_code
        == 403
    )
    disbursement.refresh_from_db()
    assert disbursement.amount == Decimal(1)


def test_allocation_admin_refuses_a_budget_below_what_has_arrived(superuser_client):
    allocation = FundingAllocationFactory(amount=Decimal("100000"), disbursed_amount=Decimal("70000"))
    data = _form_data(superuser_client.get(_url(FundingAllocation, "change", allocation.pk)))
    data["amount"] = "50000"

    response = superuser_client.post(_url(FundingAllocation, "change", allocation.pk), data)

    assert response.status_code == 200
    assert "预算不能低于已到位金额" in response.content.decode()
    allocation.refresh_from_db()
    assert allocation.amount == Decimal("100000")


def test_allocation_admin_refuses_a_duplicate_category(superuser_client):
    allocation = FundingAllocationFactory()
    data = {
        "township": allocation.township.pk,
        "year": allocation.year,
        "category": allocation.category,
        "amount": "1",
        "source": "",
        "note": "",
    }

    response = superuser_client.post(_url(FundingAllocation, "add"), data)

    assert response.status_code == 200
    assert "预算已登记" in response.content.decode()
    assert FundingAllocation.objects.count() == 1


# --- incidents ------------------------------------------------------------------------------


def test_incident_admin_refuses_premises_of_another_township(superuser_client):
    township = TownshipFactory()
    data = {
        "township": township.pk,
        "premises": PremisesFactory().pk,
        "occurred_at_0": "2022-01-15",
        "occurred_at_1": "20:30:00",
        "address": "某村",
        "cause": FireIncident.Cause.HEATING,
        "deaths": "0",
        "injuries": "0",
        "serious_injuries": "0",
        "direct_loss": "0",
        "description": "",
    }

    response = superuser_client.post(_url(FireIncident, "add"), data)

    assert response.status_code == 200
    assert "不在" in response.content.decode()
    assert not FireIncident.objects.exists()

    data["premises"] = PremisesFactory(township=township).pk
    response = superuser_client.post(_url(FireIncident, "add"), data)
    assert response.status_code == 302
    assert FireIncident.objects.get().history.first().history_user == superuser_client.user


def test_brigade_added_in_admin_is_planned_and_keeps_its_shared_townships(superuser_client):
    township = TownshipFactory()
    neighbour = TownshipFactory(county=township.county)
    data = _form_data(superuser_client.get(_url(Brigade, "add")))
    data.update(
        township=str(township.pk),
        also_serves=[str(neighbour.pk)],
        name="北关镇专职消防队",
        brigade_class="class2",
        station_area_m2="320",
    )

    response = superuser_client.post(_url(Brigade, "add"), data)

    assert response.status_code == 302
    brigade = Brigade.objects.get(name="北关镇专职消防队")
    assert brigade.status == Brigade.Status.PLANNED
    assert list(brigade.also_serves.all()) == [neighbour]
    assert brigade.history.first().history_user == superuser_client.user


def test_brigade_admin_refuses_its_own_township_as_also_served(superuser_client):
    township = TownshipFactory()
    data = _form_data(superuser_client.get(_url(Brigade, "add")))
    data.update(township=str(township.pk), also_serves=[str(township.pk)], name="队", brigade_class="class2")

    response = superuser_client.post(_url(Brigade, "add"), data)

    assert response.status_code == 200
    assert "不能包含队伍所属乡镇" in response.content.decode()
    assert not Brigade.objects.exists()


def test_member_added_in_the_brigade_inline_goes_through_the_service(superuser_client):
    brigade = BrigadeFactory()
    data = _form_data(superuser_client.get(_url(Brigade, "change", brigade.pk)))
    data["members-TOTAL_FORMS"] = "1"
    data.update(
        {
            "members-0-name": "刘队长",
            "members-0-role": BrigadeMember.Role.CAPTAIN,
            "members-0-phone": "13800000001",
            "members-0-certification": "",
            "members-0-hired_on": "2021-06-01",
            "members-0-contract_until": "2021-01-01",
            "members-0-on_duty": "on",
            "members-0-left_on": "",
        }
    )

    refused = superuser_client.post(_url(Brigade, "change", brigade.pk), data)
    data["members-0-contract_until"] = "2024-05-31"
    accepted = superuser_client.post(_url(Brigade, "change", brigade.pk), data)

    assert refused.status_code == 200
    assert "合同到期日" in refused.content.decode()
    assert accepted.status_code == 302
    member = brigade.members.get()
    assert member.contract_until == dt.date(2024, 5, 31)
    assert member.history.first().history_user == superuser_client.user
