"""Every page in the reader's language: the demo county's pages, crawled as each kind of user, and
the guidance center's admin (changelists, forms, records), read in English show no Chinese but the
county's data, and read in Chinese show no English interface word.

What counts as data is what the database holds: every text value of every row (names, places,
descriptions, people), so a Chinese run of characters on an English page must be part of a stored
value; anything else was written by us and must be translated. Stored reminder texts are not data in
this sense — they are ours and are stored in both languages."""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

from core.imports.exporters import GUIDE_SHEET
from core.imports.registry import KINDS

HAN = re.compile(r"[\u3400-\u9fff]+")
WORD = re.compile(r"[A-Za-z][A-Za-z]+")

# Not crawled: data and files, not pages; leaving the site or the session; deleting.
SKIP_PREFIXES = ("/api/", "/static/", "/media/", "/i18n/", "/accounts/logout/", "/admin/logout/", "/healthz")
SKIP_PARTS = ("/delete/", "format=xlsx", "format=pdf", ".pdf", "export", "/password/")

# Stored texts that are ours, not the county's (rendered in the reader's language).
NOT_DATA = {("core", "notification"), ("core", "historicalnotification")}

# Words a Chinese page may show in Latin letters: names of formats, systems and units, and codes.
LATIN_ALLOWED = {
    "API", "Excel", "PDF", "GeoJSON", "WGS", "ID", "Token", "AccessKey", "SMS", "QR", "JSON", "xlsx",
    "km", "English", "firebrigade", "FeatureCollection", "Polygon", "MultiPolygon", "properties", "name",
    "Webhook", "webhook", "URL", "HTTP", "HTTPS", "Email", "email", "DingTalk", "WeChat", "Work",
    "ECharts", "csv", "CSV", "OpenAPI", "Secret", "SecretKey", "Key", "Django", "MB", "JPG", "PNG", "WEBP",
}  # fmt: skip
# Django's admin writes these in English whatever the language (the search icon's and the yes / no
# icons' alternative text are not in its catalogue).
ADMIN_LATIN_ALLOWED = {"Search", "True", "False"}
# The language switch and the 通报's "Chinese version" buttons name Chinese in Chinese.
HAN_ALLOWED = {"中文", "简体中文", "中文版"}


def file_format_words() -> set[str]:
    """The import files' own words — sheet names and column headers — which stay Chinese in both
    languages (they are the county's file format); the English import page names them, with their
    meaning beside them."""
    words = {GUIDE_SHEET}
    for kind in KINDS.values():
        words.add(kind.sheet)
        words.update(kind.headers)
    return {run for word in words for run in HAN.findall(word)}


class VisibleText(HTMLParser):
    """The text a reader sees (not scripts or styles), with what assistive labels and placeholders
    say, and the page's links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def stored_text() -> str:
    """Every text value the database holds, one per line: the county's data."""
    values = []
    for model in apps.get_models():
        if (model._meta.app_label, model._meta.model_name) in NOT_DATA:
            continue
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.choices
        ]
        if names:
            for row in model._default_manager.values_list(*names):
                values.extend(value for value in row if value)
    return "\n".join(values)


def crawl(client: Client, starts: list[str]) -> dict[str, VisibleText]:
    """The HTML pages reachable from `starts` by the site's own links, one page per route (the
    first met), as this client."""
    queue, pages, per_route = deque(starts), {}, Counter()
    while queue:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in pages or path.startswith(SKIP_PREFIXES) or any(part in url for part in SKIP_PARTS):
            continue
        try:
            route = resolve(path).route
        except Resolver404:
            continue
        if per_route[route]:
            continue
        per_route[route] += 1
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = VisibleText()
        page.feed(response.content.decode())
        pages[url] = page
        queue.extend(page.links)
    return pages


def reader(username: str, language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(get_user_model().objects.get(username=username))
    return client


def context(text: str, found: str) -> str:
    at = text.find(found)
    return text[max(0, at - 30) : at + len(found) + 30]


STARTS = ["/", "/dashboard/", "/map/", "/notifications/", "/imports/", "/reports/", "/meetings/"]
READERS = ["county", "center", "beiguan", "police_beiguan", "market_beiguan"]


@pytest.fixture(autouse=True)
def _restore_language():
    before = translation.get_language()
    yield
    translation.activate(before or settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def data(demo, django_db_blocker):
    with django_db_blocker.unblock():
        return stored_text()


@pytest.mark.django_db
@pytest.mark.parametrize("username", READERS)
def test_english_pages_show_no_chinese_but_the_countys_data(data, username):
    starts = [*STARTS, "/admin/"] if username == "center" else STARTS
    pages = crawl(reader(username, "en"), starts)
    assert len(pages) >= 8, sorted(pages)
    found, allowed = [], HAN_ALLOWED | file_format_words()
    for url, page in pages.items():
        text = " | ".join(page.parts)
        for run in set(HAN.findall(text)) - allowed:
            if run not in data:
                found.append(f"{url}: {run!r} in …{context(text, run)}…")
    assert not found, f"{len(found)} untranslated on {len(pages)} pages:\n" + "\n".join(sorted(found)[:80])


@pytest.mark.django_db
@pytest.mark.parametrize("username", READERS)
def test_chinese_pages_show_no_english_interface_word(data, username):
    starts = [*STARTS, "/admin/"] if username == "center" else STARTS
    pages = crawl(reader(username, "zh-hans"), starts)
    assert len(pages) >= 8, sorted(pages)
    found = []
    for url, page in pages.items():
        text = " | ".join(page.parts)
        allowed = LATIN_ALLOWED | ADMIN_LATIN_ALLOWED if url.startswith("/admin/") else LATIN_ALLOWED
        for word in set(WORD.findall(text)) - allowed:
            if word not in data:
                found.append(f"{url}: {word!r} in …{context(text, word)}…")
    assert not found, f"{len(found)} English words on {len(pages)} pages:\n" + "\n".join(sorted(found)[:80])
