import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.utils import IntegrityError

from core.models import Notification, Role, UserProfile
from tests import factories as f
from tests.api_errors import refused_fields


@pytest.mark.django_db
def test_add_user_creates_a_township_lead_tied_to_the_township(capsys):
    township = f.TownshipFactory(name="北关镇")
    call_command(
        "add_user",
        "beiguan",
        "--role",
        "township_lead",
        "--township",
        "北关镇",
        "--password",
        "Beiguan-2021-fire",
    )
    profile = UserProfile.objects.get(user__username="beiguan")
    assert profile.role == Role.TOWNSHIP_LEAD
    assert profile.township == township
    assert profile.county == township.county
    assert profile.user.check_password("Beiguan-2021-fire")
    assert "已创建用户" in capsys.readouterr().out


@pytest.mark.django_db
def test_add_user_prints_a_generated_password_once(capsys):
    f.TownshipFactory(name="褚庙乡")
    call_command("add_user", "chumiao", "--role", "township_lead", "--township", "褚庙乡")
    assert "初始密码" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "mayor"], "未知角色"),
        (["--role", "township_lead", "--township", "不存在乡"], "未找到乡镇"),
        (["--role", "township_lead"], "必须指定所属乡镇"),
        (["--role", "police_station", "--police-station", "无此派出所"], "未找到派出所"),
        (["--role", "county_official", "--township", "北关镇"], "不能指定"),
        (["--role", "county_official", "--password", "123"], "密码"),
    ],
)
def test_add_user_refuses_bad_input_clearly_and_creates_nothing(args, message):
    f.TownshipFactory(name="北关镇")
    with pytest.raises(CommandError, match=message):
        call_command("add_user", "someone", *args)
    assert not UserProfile.objects.exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="someone").exists()


@pytest.mark.django_db
def test_add_user_refuses_an_existing_username():
    f.TownshipFactory(name="北关镇")
    call_command("add_user", "dup", "--role", "county_official", "--password", "Dup-user-2021-x")
    with pytest.raises(CommandError, match="已存在"):
        call_command("add_user", "dup", "--role", "county_official", "--password", "Dup-user-2021-x")


@pytest.mark.django_db
def test_a_township_lead_profile_without_a_township_is_refused_by_postgresql():
    user = f.UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserProfile.objects.create(user=user, role=Role.TOWNSHIP_LEAD)


@pytest.mark.django_db
def test_token_endpoint_gives_a_token_that_authenticates_api_calls(client):
    f.TownshipFactory(name="北关镇")
    call_command("add_user", "tok", "--role", "county_official", "--password", "Token-user-2021-x")
    bad = client.post("/api/v1/auth/token/", {"username": "tok", "password": "wrong"})
    assert bad.status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": "tok", "password": "Token-user-2021-x"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
    authed = client.get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.status_code == 200


@pytest.mark.django_db
def test_a_user_without_a_role_gets_403_from_the_api(client):
    client.force_login(f.UserFactory())
    assert client.get("/api/v1/notifications/").status_code == 403


@pytest.mark.django_db
def test_notifications_api_lists_only_mine_and_marks_read(client):
    township = f.TownshipFactory()
    me = f.make_user(Role.TOWNSHIP_LEAD, township=township)
    other = f.make_user(Role.TOWNSHIP_LEAD, township=township)
    hazard = f.HazardFactory(inspection=f.InspectionFactory(premises=f.PremisesFactory(township=township)))
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(hazard)
    mine = Notification.objects.create(
        recipient=me,
        rule="hazard_overdue",
        content_type=ct,
        object_id=hazard.id,
        period="p",
        title="mine",
        text="t",
    )
    theirs = Notification.objects.create(
        recipient=other,
        rule="hazard_overdue",
        content_type=ct,
        object_id=hazard.id,
        period="p",
        title="theirs",
        text="t",
    )
    client.force_login(me)
    ids = [n["id"] for n in client.get("/api/v1/notifications/").json()["results"]]
    assert ids == [mine.id]
    assert client.get(f"/api/v1/notifications/{theirs.id}/").status_code == 404
    bad = client.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, content_type="application/json")
    assert bad.status_code == 400
    assert "ids" in refused_fields(bad)
    response = client.post(
        "/api/v1/notifications/mark-read/", {"ids": [mine.id, theirs.id]}, content_type="application/json"
    )
    assert response.json()["marked"] == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_schema_and_swagger_ui_are_served_without_a_cdn(client):
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL))
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()
    assert "//unpkg" not in docs
    assert "/static/drf_spectacular_sidecar/" in docs


@pytest.mark.django_db
def test_api_errors_answer_in_chinese_by_default_and_english_on_request(client):
    client.force_login(f.make_user(Role.COUNTY_OFFICIAL))
    zh = client.post(
        "/api/v1/notifications/mark-read/", {"ids": ["x"]}, content_type="application/json"
    ).json()
    en = client.post(
        "/api/v1/notifications/mark-read/",
        {"ids": ["x"]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert zh != en
    assert "valid integer" in str(en)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(zh))


@pytest.mark.django_db
def test_api_list_exports_xlsx_with_every_row_of_my_scope(client):
    import io

    from openpyxl import load_workbook

    township = f.TownshipFactory()
    me = f.make_user(Role.TOWNSHIP_LEAD, township=township)
    hazard = f.HazardFactory(inspection=f.InspectionFactory(premises=f.PremisesFactory(township=township)))
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(hazard)
    for i in range(60):  # more than one page
        Notification.objects.create(
            recipient=me,
            rule="r",
            content_type=ct,
            object_id=hazard.id,
            period=str(i),
            title=f"提醒{i}",
            text="t",
        )
    client.force_login(me)
    response = client.get("/api/v1/notifications/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "title" in rows[0]
    assert len(rows) == 61


@pytest.mark.django_db
def test_admin_changelists_export_the_selected_rows_to_xlsx(client):
    import io

    from openpyxl import load_workbook

    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    townships = [f.TownshipFactory(name=n) for n in ("北关镇", "褚庙乡", "花园乡")]
    response = client.post(
        "/admin/townships/township/",
        {"action": "export_selected_xlsx", "_selected_action": [t.pk for t in townships[:2]]},
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    names = {cell for row in rows[1:] for cell in row}
    assert {"北关镇", "褚庙乡"} <= names
    assert "花园乡" not in names
