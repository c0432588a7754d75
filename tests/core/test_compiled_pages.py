"""Compiled queries change nothing anybody sees: in the demo county, every role's pages that read
through core.compiled (the dashboard for both seasons, township pages, the patrol ranking, the
brigades, the 通报, the figures API) are byte for byte the same with the queries compiled once and
with every query built by the ORM on each request (settings.COMPILED_QUERIES off) — including a
second request, answered from the compiled SQL, and the refusals of pages a role may not see."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from inspections.models import Campaign
from townships.models import Township

pytestmark = pytest.mark.django_db

USERS = [
    "county",
    "center",
    "beiguan",
    "chumiao",
    "police_beiguan",
    "market_beiguan",
    "fire_rescue",
    "dept_finance",
    "beiguan_grid1",
]
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|csrftoken=[^;]*')


def _urls() -> list[str]:
    campaigns = list(Campaign.objects.values_list("pk", flat=True))
    townships = list(Township.objects.filter(name__in=["北关镇", "褚庙乡"]).values_list("pk", flat=True))
    assert campaigns
    assert len(townships) == 2
    urls = ["/dashboard/", "/inspections/patrols/ranking/", "/brigades/", "/reports/bulletin/"]
    urls += [f"/dashboard/?campaign={pk}" for pk in campaigns]
    urls += [f"/townships/{pk}/" for pk in townships]
    urls += [f"/townships/{townships[0]}/?campaign={pk}" for pk in campaigns]
    urls += ["/api/v1/township-figures/", f"/api/v1/township-figures/?campaign={campaigns[0]}"]
    return urls


def _pages(user, urls, language) -> dict[str, tuple[int, bytes]]:
    client = Client()
    client.force_login(user)
    pages = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        pages[url] = (response.status_code, CSRF.sub(b"", response.content))
    return pages


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_roles_pages_are_the_same_compiled_or_built(demo, language):
    urls = _urls()
    seen = 0
    for username in USERS:
        user = get_user_model().objects.get(username=username)
        with override_settings(COMPILED_QUERIES=False):
            built = _pages(user, urls, language)
        compiled = _pages(user, urls, language)  # compiles (where not compiled yet) and answers
        again = _pages(user, urls, language)  # from the kept SQL
        for url in urls:
            assert compiled[url] == built[url], (username, url)
            assert again[url] == built[url], (username, url)
        seen += sum(status == 200 for status, _ in built.values())
    assert seen > 40  # most roles see most of these pages: the comparison is not of refusals only
