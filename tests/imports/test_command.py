"""`manage.py import_xlsx KIND FILE [--dry-run] [--user USERNAME]`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.imports.conftest import counts, premises_row, xlsx
from townships.models import Premises

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def write(tmp_path):
    def _write(kind, rows, name="data.xlsx", **kwargs):
        path = tmp_path / name
        path.write_bytes(xlsx(kind, rows, **kwargs))
        return str(path)

    return _write


def test_the_command_prints_every_error_and_writes_nothing(county, write, capsys):
    path = write(
        "premises",
        [
            premises_row(),
            premises_row(单位名称="甲", 乡镇="花园乡"),
            premises_row(单位名称="乙", 类别="饭馆"),
        ],
    )
    before = counts()
    with pytest.raises(CommandError, match="导入未通过：2 个错误，未写入任何数据"):
        call_command("import_xlsx", "premises", path)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "行 3，列 乡镇：未知乡镇“花园乡”，请填写系统中的乡镇（街道办）全称",
        "行 4，列 类别：“饭馆”不是允许的值，可选：商铺、工厂企业、学校、集贸市场、仓库、村居民聚居区、公众娱乐场所、医疗养老机构、宾馆饭店、其他",
    ]
    assert counts() == before


def test_the_command_imports_and_prints_the_summary(county, write, capsys):
    path = write("premises", [premises_row(), premises_row(单位名称="褚庙中学", 类别="学校")])
    call_command("import_xlsx", "premises", path, "--dry-run")
    assert "新增 2 条，更新 0 条，无变化 0 条（预览，未写入）" in capsys.readouterr().out
    assert not Premises.objects.exists()

    call_command("import_xlsx", "premises", path, "--user", "lead_chumiao")
    assert "新增 2 条，更新 0 条，无变化 0 条" in capsys.readouterr().out
    assert Premises.objects.count() == 2
    assert Premises.objects.first().history.latest().history_user == county.lead

    call_command("import_xlsx", "premises", path, verbosity=2)
    out = capsys.readouterr().out
    assert "行 2：无变化 褚庙乡·福民超市" in out
    assert "新增 0 条，更新 0 条，无变化 2 条" in out


def test_the_command_applies_the_users_scope(county, write, capsys):
    path = write("premises", [premises_row()])
    with pytest.raises(CommandError):
        call_command("import_xlsx", "premises", path, "--user", "lead_beiguan")
    assert "行 2，列 乡镇：不能操作其他乡镇的数据。" in capsys.readouterr().err
    with pytest.raises(CommandError, match="无权导入数据"):
        call_command("import_xlsx", "premises", path, "--user", "official")
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("import_xlsx", "premises", path, "--user", "nobody")
    assert not Premises.objects.exists()


def test_the_command_refuses_unreadable_files(county, tmp_path, write, capsys):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_xlsx", "premises", str(tmp_path / "missing.xlsx"))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="文件未通过检查，未写入任何数据"):
        call_command("import_xlsx", "premises", str(bad))
    assert "文件不是有效的 .xlsx 格式" in capsys.readouterr().err
    with pytest.raises(CommandError, match="文件未通过检查"):
        call_command("import_xlsx", "premises", write("premises", [premises_row()], sheet="Sheet1"))
    assert "找不到名为“社会单位”的工作表" in capsys.readouterr().err
    with pytest.raises(CommandError, match=r"只能导入 \.xlsx"):
        call_command("import_xlsx", "premises", write("premises", [premises_row()], name="data.csv"))


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_on_errors_and_zero_on_success(county, write):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
    }

    def run(*args):
        return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "manage.py", "import_xlsx", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    failed = run("premises", write("premises", [premises_row(乡镇="花园乡")]))
    assert failed.returncode != 0
    assert "行 2，列 乡镇：未知乡镇“花园乡”" in failed.stderr
    assert not Premises.objects.exists()

    done = run("premises", write("premises", [premises_row()], name="good.xlsx"), "--user", "center")
    assert done.returncode == 0, done.stderr
    assert "新增 1 条" in done.stdout
    assert Premises.objects.get().township == county.chumiao
