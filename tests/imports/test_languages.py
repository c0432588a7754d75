"""Imports speak the reader's language. The sheet is the county's file format and stays Chinese
(sheet name, headers, choice labels written into cells); every message about the file or a row —
its row number, the column (the header and, in English, its meaning), the reason, the summary,
the job's status and a command's output — is in Chinese or in English as the reader asked."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from core.imports.exporters import template_xlsx
from core.imports.jobs import import_job_run, import_jobs_end_stale, result_errors
from core.imports.registry import get_kind
from core.imports.runner import run_import
from core.models import ImportJob
from tests import factories as f
from tests.imports.conftest import member_row, premises_row, xlsx
from townships.models import Premises

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HAN = re.compile(r"[\u3400-\u9fff]")
QUOTED = re.compile(r"“[^”]*”")


@pytest.fixture(autouse=True)
def _restore_language():
    """A request through LocaleMiddleware leaves its language active in this thread."""
    before = translation.get_language()
    yield
    translation.activate(before or settings.LANGUAGE_CODE)


def bad_premises_file() -> bytes:
    return xlsx(
        "premises",
        [
            premises_row(),  # row 2: fine
            premises_row(单位名称="甲", 乡镇="不存在乡"),  # row 3: unknown township
            premises_row(单位名称="乙", 责任人电话=None),  # row 4: required cell empty
            premises_row(单位名称="丙", 网格="第九网格"),  # row 5: unknown grid
            premises_row(),  # row 6: repeats row 2
        ],
    )


def bad_members_file() -> bytes:
    return xlsx(
        "members",
        [
            member_row(入职日期="去年夏天"),  # row 2: not a date
            member_row(姓名="李四", 消防队="不存在队"),  # row 3: unknown brigade
        ],
    )


def without_data(text: str, *data: str) -> str:
    """`text` without what the file said: quoted values, the file's headers and names."""
    text = QUOTED.sub("", text)
    for word in sorted(data, key=len, reverse=True):
        text = text.replace(word, "")
    return text


def file_words(kind: str) -> list[str]:
    return [*get_kind(kind).headers, "褚庙乡"]


def test_every_bad_row_is_reported_in_english_with_its_row_number(county):
    with translation.override("en"):
        premises = run_import(kind="premises", fileobj=io.BytesIO(bad_premises_file()), user=county.lead)
        members = run_import(kind="members", fileobj=io.BytesIO(bad_members_file()), user=county.lead)
        lines = premises.error_lines() + members.error_lines()
        summaries = [premises.summary(), members.summary()]

    assert [e.row for e in premises.errors] == [3, 4, 5, 6]
    assert [e.row for e in members.errors] == [2, 3]
    assert lines[0].startswith("Row 3, column 乡镇 (Township): ")
    assert "“不存在乡”" in lines[0]
    assert lines[1].startswith("Row 4, column 责任人电话 (")
    assert lines[3].startswith("Row 6, column ")
    assert "row 2" in lines[3]
    assert lines[4].startswith("Row 2, column 入职日期 (")
    assert "“去年夏天”" in lines[4]
    for line in lines:
        assert re.match(r"Row \d+, column ", line), line
        assert not HAN.search(without_data(line, *file_words("premises"), *file_words("members"))), line
    assert summaries[0].startswith("4 errors")
    assert not HAN.search(summaries[0])
    assert not Premises.objects.exists()


def test_every_bad_row_is_reported_in_chinese_by_default(county):
    result = run_import(kind="premises", fileobj=io.BytesIO(bad_premises_file()), user=county.lead)
    lines = result.error_lines()
    assert lines == [
        "行 3，列 乡镇：未知乡镇“不存在乡”，请填写系统中的乡镇（街道办）全称",
        "行 4，列 责任人电话：必填，不能为空",
        "行 5，列 网格：褚庙乡没有名为“第九网格”的网格，请先登记网格或不填",
        "行 6，列 单位名称：与第 2 行重复（乡镇、单位名称、地址相同），同一文件中同一条数据只能出现一次",
    ]
    assert result.summary() == "4 个错误，未写入任何数据（新增 1 条，更新 0 条，无变化 0 条）"


def test_the_import_pages_in_english_show_each_bad_row_in_english(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county.lead)
    response = client.post(
        "/imports/",
        {"kind": "premises", "file": SimpleUploadedFile("x.xlsx", bad_premises_file(), content_type=XLSX)},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Row 3, column 乡镇 (Township): Unknown township “不存在乡”" in page
    assert "Row 4, column 责任人电话 (" in page
    assert "Failed" in page or "failed" in page.lower()
    assert "行 3" not in page
    assert "未知乡镇" not in page

    # The same job read in Chinese: the frame follows the reader, the reason stays as it was made.
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(county.lead)
    page = chinese.get(response["Location"]).content.decode()
    assert "行 3，列 乡镇：Unknown township “不存在乡”" in page


def test_a_file_refused_as_a_whole_is_refused_in_english(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county.lead)
    response = client.post(
        "/imports/",
        {"kind": "premises", "file": SimpleUploadedFile("x.csv", b"a,b\n", content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "Only .xlsx" in response.content.decode()
    wrong_sheet = xlsx("premises", [premises_row()], sheet="Sheet1")
    response = client.post(
        "/imports/",
        {"kind": "premises", "file": SimpleUploadedFile("x.xlsx", wrong_sheet, content_type=XLSX)},
    )
    text = response.content.decode()
    assert "No sheet named “社会单位”" in text


def test_a_worker_run_uses_the_language_it_was_queued_in(county, tmp_path):
    job = ImportJob.objects.create(owner=county.lead, kind="premises", total_rows=5)
    job.file.save("upload.xlsx", io.BytesIO(bad_premises_file()), save=True)
    import_job_run(job_id=job.pk, language="en")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.result["errors"][0]["message"].startswith("Unknown township")
    assert translation.get_language() == settings.LANGUAGE_CODE  # the worker's own language is back


def test_a_job_ended_by_the_system_is_explained_in_the_readers_language(county, settings):
    job = ImportJob.objects.create(owner=county.lead, kind="premises", status=ImportJob.Status.QUEUED)
    ImportJob.objects.filter(pk=job.pk).update(queued_at=None, created_at="2020-01-01T00:00:00Z")
    assert import_jobs_end_stale() == 1
    job.refresh_from_db()
    with translation.override("en"):
        (error,) = result_errors(job.result)
        assert error["text"].startswith("The background service never")
    (error,) = result_errors(job.result)
    assert error["text"].startswith("后台服务一直没有处理这个文件")


def test_the_english_template_keeps_the_chinese_format_and_explains_it(county):
    with translation.override("en"):
        content = template_xlsx("premises")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["社会单位", "Instructions"]
    sheet = workbook["社会单位"]
    spec = get_kind("premises")
    assert [c.value for c in sheet[1]] == spec.headers
    assert sheet["A1"].comment.text.startswith("Township")
    assert sheet["D2"].value == "商铺"  # a choice is written as the file's label
    guide = "\n".join(str(c.value) for row in workbook["Instructions"].iter_rows() for c in row if c.value)
    assert "Meaning" in guide
    assert "Township" in guide
    assert not HAN.search(without_data(guide, *spec.headers, "商铺", "工厂企业", "学校", "集贸市场", "仓库",
                                       "村居民聚居区", "公众娱乐场所", "医疗养老机构", "宾馆饭店", "其他",
                                       "高风险", "中风险", "低风险", "是", "否", "、"))  # fmt: skip

    # The example row, as downloaded in English, imports in English and in Chinese (given the
    # demo county's grid and station it names: tests/imports/test_template_examples.py).
    f.GridFactory(township=county.chumiao, name="第1网格")
    f.PoliceStationFactory(county=county.chumiao.county, name="南华派出所").townships.add(county.chumiao)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            result = run_import(kind="premises", fileobj=io.BytesIO(content), user=county.center)
        assert result.ok, result.error_lines()


def test_english_and_chinese_choice_labels_are_both_accepted_in_english(county):
    rows = [
        premises_row(),
        premises_row(单位名称="乙", 类别="Shop", 风险等级="medium risk", 消防安全重点单位="Yes"),
    ]
    with translation.override("en"):
        result = run_import(kind="premises", fileobj=io.BytesIO(xlsx("premises", rows)), user=county.lead)
    assert result.ok, result.error_lines()
    assert result.created == 2


def test_the_import_command_speaks_english_when_english_is_active(county, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bad_premises_file())
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_xlsx", "premises", str(path))
    assert str(refused.value).startswith("Import failed: 4 errors")
    err = capsys.readouterr().err.splitlines()
    assert [line.split(",")[0] for line in err] == ["Row 3", "Row 4", "Row 5", "Row 6"]
    with translation.override("en"), pytest.raises(CommandError, match="File not found"):
        call_command("import_xlsx", "premises", str(tmp_path / "missing.xlsx"))


def test_the_other_commands_speak_english_when_english_is_active(county):
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("restore", "/nonexistent.tar.gz")
    assert "--yes" in str(refused.value)
    assert not HAN.search(str(refused.value))
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("restore", "/nonexistent.tar.gz", "--yes")
    assert "/nonexistent.tar.gz" in str(refused.value)
    assert not HAN.search(str(refused.value))
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("add_user", "someone", "--role", "township_lead", "--township", "不存在乡")
    assert not HAN.search(without_data(str(refused.value), "不存在乡")), str(refused.value)
