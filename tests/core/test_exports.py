"""Excel from the API: only for reading, and never more than the export limit, which the answer says."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import Role
from inspections.models import Inspection
from inspections.services import local_today
from tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def lead():
    township = f.TownshipFactory(name="北关镇")
    for n in range(3):
        f.PremisesFactory(township=township, name=f"北关单位{n}")
    client = APIClient()
    client.force_login(f.make_user(Role.TOWNSHIP_LEAD, township=township))
    client.township = township
    return client


def sheet_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_an_export_holds_at_most_the_limit_and_says_it_was_cut(lead, settings):
    settings.API_EXPORT_MAX_ROWS = 2
    cut = lead.get(f"{API}/premises/", {"format": "xlsx"})
    assert cut.status_code == 200
    assert (cut["X-Export-Limit"], cut["X-Export-Truncated"]) == ("2", "true")
    assert len(sheet_rows(cut)) == 1 + 2  # the header row and two premises
    settings.API_EXPORT_MAX_ROWS = 10
    whole = lead.get(f"{API}/premises/", {"format": "xlsx"})
    assert whole["X-Export-Limit"] == "10"
    assert "X-Export-Truncated" not in whole
    assert len(sheet_rows(whole)) == 1 + 3


def test_excel_is_for_reading_a_write_asking_for_it_is_a_406_and_writes_nothing(lead):
    premises = lead.township.premises.first()
    body = {"premises": premises.pk, "inspected_on": local_today().isoformat(), "inspectors": "赵专干"}
    refused = lead.post(f"{API}/inspections/?format=xlsx", body, format="json")
    assert refused.status_code == 406
    assert "Excel 导出只用于读取" in refused.json()["detail"]
    assert not Inspection.objects.exists()
    assert lead.post(f"{API}/inspections/", body, format="json").status_code == 201
