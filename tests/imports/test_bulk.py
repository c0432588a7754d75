"""Premises are imported in bulk: every row checked by the services' rules against lookups loaded
once, then all written at once with their history rows — a constant number of queries, the same
refusals in the same words, nothing written unless every row passes."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from core.imports.registry import get_kind
from core.imports.runner import run_import
from core.models import ImportJob
from core.validators import phone_validator
from tests import factories as f
from tests.imports.conftest import counts, premises_row, xlsx
from townships import imports as premises_imports
from townships import services
from townships.models import Premises

PHONE = str(phone_validator.message)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run(rows, *, user, dry_run=False):
    return run_import(kind="premises", fileobj=io.BytesIO(xlsx("premises", rows)), user=user, dry_run=dry_run)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def many(n, *, start=0, **overrides):
    return [
        premises_row(单位名称=f"单位{i:04d}", 地址=f"政府街{i}号", **overrides)
        for i in range(start, start + n)
    ]


def queries_of(rows, *, user, dry_run=False):
    with CaptureQueriesContext(connection) as captured:
        result = run(rows, user=user, dry_run=dry_run)
    assert result.ok, result.error_lines()
    return len(captured)


def test_premises_is_imported_in_bulk():
    assert get_kind("premises").bulk


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "preview"])
def test_importing_100_new_rows_takes_as_many_queries_as_10(county, dry_run):
    small = queries_of(many(10), user=county.lead, dry_run=dry_run)
    Premises.objects.all().delete()
    large = queries_of(many(100), user=county.lead, dry_run=dry_run)
    assert large == small


def test_updating_100_rows_takes_as_many_queries_as_updating_10(county):
    assert run(many(10), user=county.lead).ok
    small = queries_of(many(10, 风险等级="高风险"), user=county.lead)
    Premises.objects.all().delete()
    assert run(many(100), user=county.lead).ok
    large = queries_of(many(100, 风险等级="高风险"), user=county.lead)
    assert large == small


def test_queries_grow_only_by_the_batches(county, monkeypatch):
    """Rows are checked bulk_batch at a time (one lock query per batch with updates) and written
    BULK_BATCH to a statement: more rows add at most a few queries per batch, none per row."""
    monkeypatch.setattr(type(get_kind("premises")), "bulk_batch", 20)
    monkeypatch.setattr(services, "BULK_BATCH", 20)
    assert run(many(20), user=county.lead).ok
    one_batch = queries_of(many(20, 风险等级="高风险"), user=county.lead)
    Premises.objects.all().delete()
    assert run(many(100), user=county.lead).ok
    five_batches = queries_of(many(100, 风险等级="高风险"), user=county.lead)
    # Per extra batch: its lock, and the UPDATE and history INSERT of its rows.
    assert one_batch < five_batches <= one_batch + 4 * 3


def test_one_bad_row_among_many_writes_nothing_and_is_reported(county, monkeypatch):
    monkeypatch.setattr(type(get_kind("premises")), "bulk_batch", 50)
    f.PremisesFactory(township=county.chumiao, name="单位0007", address="政府街7号")
    before = counts()
    rows = many(300)
    rows[180] = premises_row(单位名称="坏单位", 责任人电话="123")
    result = run(rows, user=county.center)
    assert not result.committed
    assert errors(result) == [(182, "责任人电话", PHONE)]
    assert (result.created, result.updated) == (298, 1)  # what the file would have done
    assert counts() == before


def test_every_bad_row_is_reported_with_the_services_words(county):
    """Refusals of the access policy, the links and the fields, each on its own row, as
    premises_create says them: the bulk check applies the same rules."""
    other = f.PoliceStationFactory(county=county.chumiao.county, name="北关派出所")
    other.townships.add(county.beiguan)
    rows = [
        *many(3),
        premises_row(单位名称="不在辖区", 辖区派出所="北关派出所"),
        premises_row(单位名称="电话错", 管理人电话="12"),
        premises_row(乡镇="北关镇", 单位名称="外乡镇", 网格=None, 辖区派出所=None),
        *many(3, start=3, 类别="学校"),
    ]
    before = counts()
    result = run(rows, user=county.lead)
    with pytest.raises(ApplicationError) as station:
        services.premises_create(
            township=county.chumiao,
            name="不在辖区",
            category="shop",
            risk_level="medium",
            responsible_person="王福民",
            responsible_phone="13903700000",
            police_station=other,
            by=county.lead,
        )
    assert errors(result) == [
        (5, "辖区派出所", str(station.value.message)),
        (6, "管理人电话", PHONE),
        (7, "乡镇", "不能操作其他乡镇的数据。"),
    ]
    assert counts() == before


def test_a_preview_reports_what_the_import_then_does(county):
    f.PremisesFactory(township=county.chumiao, name="单位0001", address="政府街1号", risk_level="low")
    f.PremisesFactory(
        township=county.chumiao,
        name="单位0002",
        address="政府街2号",
        grid=county.grid,
        police_station=county.station,
        responsible_person="王福民",
        responsible_phone="13903700000",
        is_key_unit=False,
        manager="",
        manager_phone="",
    )
    rows = many(5)
    before = counts()
    preview = run(rows, user=county.lead, dry_run=True)
    assert counts() == before
    done = run(rows, user=county.lead)
    assert (preview.created, preview.updated, preview.unchanged) == (3, 1, 1)
    assert [row.as_dict() for row in preview.rows] == [row.as_dict() for row in done.rows]
    assert (preview.committed, done.committed) == (False, True)


def test_bulk_rows_and_their_history_record_the_importing_user(county):
    shop = f.PremisesFactory(
        township=county.chumiao,
        name="单位0000",
        address="政府街0号",
        risk_level="low",
        last_inspected_on=dt.date(2021, 11, 1),
        next_inspection_due=dt.date(2022, 4, 30),
    )
    stamped = shop.updated_at
    result = run(many(3, 风险等级="高风险"), user=county.lead)
    assert (result.created, result.updated) == (2, 1)

    created = Premises.objects.get(name="单位0001")
    assert (created.grid, created.police_station, created.risk_level) == (county.grid, county.station, "high")
    assert created.next_inspection_due is None
    record = created.history.get()
    assert (record.history_type, record.history_user, record.ip_address) == ("+", county.lead, None)

    shop.refresh_from_db()
    assert shop.risk_level == "high"
    assert shop.next_inspection_due == dt.date(2021, 12, 1)  # rescheduled, as premises_update does
    assert shop.updated_at > stamped
    latest = shop.history.latest()
    assert (latest.history_type, latest.history_user, latest.risk_level) == ("~", county.lead, "high")
    assert latest.next_inspection_due == dt.date(2021, 12, 1)


def test_a_row_the_database_refuses_after_the_check_is_found_row_by_row(county, monkeypatch):
    """Another user registers the same premises after the lookups were loaded: the bulk insert is
    refused, and the rows are written again one by one, which names the row."""
    f.PremisesFactory(township=county.chumiao, name="单位0001", address="政府街1号")
    monkeypatch.setattr(premises_imports, "premises_lookup", lambda township_ids: {})
    load = services.premises_lookups

    def unaware(**kwargs):
        lookups = load(**kwargs)
        for taken in lookups.taken.values():
            taken.clear()
        return lookups

    monkeypatch.setattr(services, "premises_lookups", unaware)
    before = counts()
    result = run(many(3), user=county.center)
    assert [(e.row, e.column) for e in result.errors] == [(3, "乡镇")]
    assert "已经存在" in result.errors[0].message
    assert not result.committed
    assert counts() == before


def test_an_import_confirmed_on_the_page_records_the_clients_address_as_a_single_save_does(client, county):
    """A small file is imported within the request: its bulk history rows carry the address, as
    core.signals records it for one save; on the worker there is no request, and none."""
    client.force_login(county.lead)
    content = xlsx("premises", many(2))
    client.post(
        "/imports/",
        {"kind": "premises", "file": SimpleUploadedFile("单位.xlsx", content, content_type=XLSX)},
        REMOTE_ADDR="10.0.0.7",
    )
    job = ImportJob.objects.get()
    client.post(f"/imports/{job.pk}/confirm", REMOTE_ADDR="10.0.0.7")
    job.refresh_from_db()
    assert job.status == "confirmed"
    records = Premises.history.all()
    assert [(h.history_user, h.ip_address) for h in records] == [(county.lead, "10.0.0.7")] * 2
