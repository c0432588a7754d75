"""Files that are not what we can read are refused cleanly, as a whole, before any row is written."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from core.imports.reader import MAX_FILE_BYTES, MAX_ROWS, read_sheet
from core.imports.registry import get_kind
from core.imports.runner import run_import
from tests.imports.conftest import counts, premises_row, xlsx


def _too_many_rows() -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("社会单位")
    sheet.append(get_kind("premises").headers)
    for i in range(MAX_ROWS + 1):
        sheet.append(["褚庙乡", f"单位{i}"])  # two cells a row are enough to count
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _garbled_sheet() -> bytes:
    """A real .xlsx whose worksheet part is not XML."""
    source = zipfile.ZipFile(io.BytesIO(xlsx("premises", [premises_row()])))
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>0</v>"
    return _zip_with(members)


CORRUPT = "文件已损坏，无法读取"
NOT_XLSX = "文件不是有效的 .xlsx 格式"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            lambda: b"\0" * (MAX_FILE_BYTES + 1), "文件过大（5.0 MB），不能超过 5 MB", id="oversize"
        ),
        pytest.param(_too_many_rows, f"数据超过 {MAX_ROWS} 行", id="too-many-rows"),
        pytest.param(lambda: "乡镇,单位名称\n褚庙乡,福民超市\n".encode(), NOT_XLSX, id="csv-renamed"),
        pytest.param(lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, NOT_XLSX, id="old-xls"),
        pytest.param(lambda: xlsx("premises", [premises_row()])[:2000], NOT_XLSX, id="truncated"),
        pytest.param(lambda: _zip_with({"hello.txt": b"hi"}), CORRUPT, id="zip-not-a-workbook"),
        pytest.param(_garbled_sheet, CORRUPT, id="garbled-sheet"),
    ],
)
def test_unreadable_or_oversized_files_are_refused_and_nothing_is_written(county, content, expected):
    before = counts()
    result = run_import(kind="premises", fileobj=io.BytesIO(content()), user=county.center, dry_run=False)
    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert expected in result.errors[0].message
    assert counts() == before


def test_exactly_the_row_limit_is_accepted_for_reading():
    spec = get_kind("premises")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.sheet)
    sheet.append(spec.headers)
    sheet.append(["褚庙乡", "甲"])
    sheet.append([])  # blank rows in between are skipped, not counted
    sheet.append(["褚庙乡", "乙"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_sheet(buffer, sheet=spec.sheet, headers=spec.headers)
    assert [r.number for r in rows] == [2, 4]
