"""Import an Excel file from the server console: every error printed as 行 N，列 X：原因."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.imports.base import can_import
from core.imports.reader import FileRefused, check_upload
from core.imports.registry import KINDS
from core.imports.runner import run_import


class Command(BaseCommand):
    help = (
        "从 .xlsx 文件导入数据（社会单位、专职队员、消防装备、经费预算、检查记录），经各业务服务写入；"
        "任何一行有错误则不写入任何数据并以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS), help="数据类型")
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查、预览，不写入")
        parser.add_argument(
            "--user",
            help="以该用户的身份和权限导入（乡镇消防专干只能导入本乡镇）；不填为运维人员，不限乡镇",
        )

    def handle(self, *args, kind: str, file: str, dry_run: bool, user: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        acting = None
        if user:
            acting = get_user_model().objects.filter(username=user).select_related("profile").first()
            if acting is None:
                raise CommandError(f"找不到用户：{user}")
            if not can_import(acting):
                raise CommandError(f"用户 {user} 无权导入数据（仅限乡镇消防专干和指导中心）。")
        try:
            check_upload(name=path.name, size=path.stat().st_size)
        except FileRefused as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from None
        with path.open("rb") as fileobj:
            result = run_import(kind=kind, fileobj=fileobj, user=acting, dry_run=dry_run)
        if not result.ok:
            for line in result.error_lines():
                self.stderr.write(line)
            raise CommandError(f"导入未通过：{result.summary()}。")
        if options["verbosity"] > 1:
            for row in result.rows:
                changes = "；".join(
                    f"{c.column}：{c.old or '（空）'} → {c.new or '（空）'}" for c in row.changes
                )
                self.stdout.write(f"行 {row.number}：{row.outcome} {row.label} {changes}".rstrip())
        self.stdout.write(self.style.SUCCESS(result.summary()))
