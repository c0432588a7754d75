"""The English translation: pages and API refusals follow the language cookie / Accept-Language
(Chinese by default), and locale/en is complete — no untranslated or fuzzy entry, every placeholder
kept, and the compiled .mo matches the .po (so the app needs no gettext tools at run time)."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.views.defaults import server_error
from rest_framework.test import APIClient

from core.models import Role
from meetings.models import Meeting
from tests import factories as f

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0\- +]*\d*(?:\.\d+)?[sdifr%]")


@pytest.fixture(autouse=True)
def _restore_language():
    """A request through LocaleMiddleware leaves its language active in this thread; put the
    default back so later tests (which expect Chinese messages) are not affected."""
    before = translation.get_language()
    yield
    translation.activate(before or settings.LANGUAGE_CODE)


def english_client(client_class=Client):
    client = client_class()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# -- pages ----------------------------------------------------------------------------------------


def test_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html
    assert "密码" in html
    assert "Username" not in html


def test_login_page_is_english_with_the_language_cookie():
    response = english_client().get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Username" in html
    assert "Password" in html
    assert "用户名" not in html
    assert "County Fire Safety Inspection Guidance and Service Center" in html  # footer


def test_login_page_is_english_with_accept_language(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Username" in html
    assert "用户名" not in html


def test_language_switch_sets_the_cookie_and_later_pages_are_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Username" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "用户名" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_county_dashboard_renders_english_headings_with_the_language_cookie():
    township = f.TownshipFactory()
    campaign = f.CampaignFactory(county=township.county)
    official = f.make_user(Role.COUNTY_OFFICIAL, county=township.county)
    client = english_client()
    client.force_login(official)
    response = client.get(f"/dashboard/?campaign={campaign.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "County overview",
        "Hazard rectification by township",
        "Township (subdistrict) ranking",
        "Meeting task completion rate",
        "Export to Excel",
    ):
        assert heading in html, heading
    assert "县级总览" not in html
    assert "各乡镇（街道办）排名" not in html

    chinese = Client()
    chinese.force_login(official)
    assert "县级总览" in chinese.get(f"/dashboard/?campaign={campaign.pk}").content.decode()


# -- API refusals ---------------------------------------------------------------------------------


def post_meeting_with_a_duplicate_sub_venue(client, county, **headers):
    return client.post(
        "/api/v1/meetings/",
        {
            "county": county.pk,
            "title": "冬春火灾防控工作调度会",
            "held_at": "2021-12-01T09:00:00+08:00",
            "chair": "王景义",
            "main_venue": "县政府",
            "sub_venues": ["北关镇分会场", "北关镇分会场"],
        },
        format="json",
        **headers,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "expected", "absent"),
    [
        ("en", "The branch venue “北关镇分会场” is listed twice.", "重复"),
        (None, "分会场“北关镇分会场”重复。", "listed twice"),
    ],
)
def test_api_service_refusal_follows_accept_language(accept_language, expected, absent):
    county = f.CountyFactory()
    office = f.make_user(Role.COUNTY_OFFICIAL, county=county)
    client = APIClient()
    client.force_authenticate(office)
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = post_meeting_with_a_duplicate_sub_venue(client, county, **headers)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body == {"type": "client_error", "code": "refused", "detail": expected, "errors": []}
    assert absent not in body["detail"]
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_api_permission_refusal_is_english_with_accept_language():
    """The route gate refuses in the access policy's words, translated like every other refusal."""
    county = f.CountyFactory()
    lead = f.make_user(Role.TOWNSHIP_LEAD, township=f.TownshipFactory(county=county))
    client = APIClient()
    client.force_authenticate(lead)
    response = client.post("/api/v1/meetings/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only this county's fire office or the guidance center can register meetings."
    )
    chinese = client.post("/api/v1/meetings/", {}, format="json")
    assert chinese.json()["detail"] == "只有本县消防工作办公室或指导中心可以登记会议。"


# -- the catalogue --------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: flags, msgid, msgid_plural, msgstr / msgstr[n] (header excluded,
    obsolete `#~` entries reported as such)."""
    entries, entry, key = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#~"):
            entries.append({"obsolete": raw})
            continue
        if not line or (line.startswith("#") and entry and "msgid" in entry):
            if entry and "msgid" in entry:
                entries.append(entry)
                entry = None
            if not line:
                continue
        if entry is None:
            entry = {"flags": set(), "strs": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key[0] == "strs":
                entry["strs"][key[1]] += _unquote(line)
            else:
                entry[key[0]] += _unquote(line)
        else:
            keyword, value = line.split(" ", 1)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgstr" or match:
                key = ("strs", int(match.group(1)) if match else None)
                entry["strs"][key[1]] = _unquote(value)
            else:
                key = (keyword,)
                entry[keyword] = _unquote(value)
    return [e for e in entries if e.get("msgid") != ""]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_po_has_no_untranslated_fuzzy_or_obsolete_entry():
    entries = read_po(PO_FILE)
    assert len(entries) > 900  # the whole app, not a stub
    obsolete = [e["obsolete"] for e in entries if "obsolete" in e]
    assert not obsolete
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy
    untranslated = [e["msgid"] for e in entries if not e["strs"] or not all(e["strs"].values())]
    assert not untranslated
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals
    assert all(sorted(e["strs"]) == [0, 1] for e in plurals)


def test_po_translations_keep_every_placeholder():
    wrong = []
    for entry in read_po(PO_FILE):
        if "msgid_plural" in entry:
            pairs = [(entry["msgid"], entry["strs"][0]), (entry["msgid_plural"], entry["strs"][1])]
        else:
            pairs = [(entry["msgid"], entry["strs"][None])]
        for source, translated in pairs:
            if "python-format" in entry["flags"]:
                if placeholders(source) != placeholders(translated):
                    wrong.append((source, translated))
            elif set(re.findall(r"%\([^)]+\)", source)) != set(re.findall(r"%\([^)]+\)", translated)):
                wrong.append((source, translated))
    assert not wrong


def test_compiled_mo_matches_the_po():
    """The .mo shipped in locale/ is compiled from the current .po (run compilemessages after edits)."""
    with MO_FILE.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    stale = []
    for entry in read_po(PO_FILE):
        if "msgid_plural" in entry:
            ok = catalog.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["strs"][0]
            ok = ok and catalog.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["strs"][1]
        else:
            ok = catalog.gettext(entry["msgid"]) == entry["strs"][None]
        if not ok:
            stale.append(entry["msgid"])
    assert not stale


def test_english_catalogue_is_what_django_uses():
    with translation.override("en"):
        assert translation.gettext("重大火灾隐患") == "Major fire hazard"
        assert translation.gettext("乡镇专职消防队") == "Township full-time fire brigade"
        assert translation.ngettext("共 %(n)s 支队伍", "共 %(n)s 支队伍", 2) % {"n": 2} == "2 brigades"
    with translation.override("zh-hans"):
        assert translation.gettext("重大火灾隐患") == "重大火灾隐患"


def inspection_form(*languages: str) -> list[str]:
    """The phone's inspection form as a township lead reads it, in each language."""
    township = f.TownshipFactory(name="北关镇")
    f.PremisesFactory(township=township)
    client = Client()
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=township))
    return [
        client.get("/inspections/record/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for language in languages
    ]


@pytest.mark.django_db
def test_a_chinese_form_label_ends_in_a_full_width_colon_and_an_english_one_in_a_colon():
    chinese, english = inspection_form("zh-hans", "en")
    assert "检查人员：</label>" in chinese
    assert "检查人员:</label>" not in chinese
    assert "Inspectors:</label>" in english


@pytest.mark.django_db
def test_the_admin_index_names_its_sections_in_the_readers_language():
    client = Client()
    client.force_login(f.UserFactory(username="center-admin", is_superuser=True, is_staff=True))
    chinese = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for words in ("登录安全", "登录尝试", "登录失败记录", "登录日志", "账号与系统"):
        assert words in chinese, words
    for words in ("Access attempts", "Access failures", "Access logs", "公共"):
        assert words not in chinese, words
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Access attempts" in english
    assert "Login security" in english


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [("en", "Something went wrong", "系统暂时出错"), ("zh-hans", "系统暂时出错", "Something went wrong")],
)
def test_the_server_error_page_is_in_the_readers_language(rf, language, expected, absent):
    with translation.override(language):
        response = server_error(rf.get("/dashboard/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert expected in page
    assert absent not in page
    assert f'<html lang="{language}">' in page


@pytest.mark.django_db
def test_the_admin_titles_are_in_the_readers_language():
    client = Client()
    client.force_login(f.UserFactory(username="center-admin", is_superuser=True, is_staff=True))
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Administration" in english
    assert "管理后台" not in english
    chinese = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "消防安全检查指导服务中心 · 管理后台" in chinese


def test_makemessages_finds_no_string_the_catalogue_lacks(tmp_path):
    """Run on a copy of the sources, makemessages adds no entry: every string wrapped for
    translation is in locale/en, translated (the test above)."""
    root = Path(settings.BASE_DIR)
    skipped = {".git", ".venv", "node_modules", "var", "static", "tests", "bench", "test-output"}
    copy = tmp_path / "src"
    shutil.copytree(
        root, copy, ignore=lambda folder, names: [n for n in names if n in skipped or n.endswith(".pyc")]
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-wrap", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    entries = read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = [e["msgid"] for e in entries if "msgid" in e and not all(e["strs"].values())]
    assert not missing


@pytest.mark.django_db
def test_the_deadline_help_and_its_refusal_name_the_same_date():
    [page] = inspection_form("zh-hans")
    assert "不能早于发现日期" in page
    assert "不得早于检查日期" not in page
