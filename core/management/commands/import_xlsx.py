"""Import an Excel file from the server console: every error printed as 行 N，列 X：原因 (in English,
"Row N, column X (meaning): reason"), in the active language."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.imports.base import ACTION_LABELS, can_import
from core.imports.columns import column_title
from core.imports.reader import FileRefused, check_upload
from core.imports.registry import KINDS
from core.imports.runner import run_import


class Command(BaseCommand):
    @property
    def help(self) -> str:  # read when the parser is made, in the active language
        return _(
            "从 .xlsx 文件导入数据（社会单位、专职队员、消防装备、经费预算、检查记录），经各业务服务写入；"
            "任何一行有错误则不写入任何数据并以非零状态退出。"
        )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS), help=_("数据类型"))
        parser.add_argument("file", help=_(".xlsx 文件路径"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查、预览，不写入"))
        parser.add_argument(
            "--user",
            help=_("以该用户的身份和权限导入（乡镇消防专干只能导入本乡镇）；不填为运维人员，不限乡镇"),
        )

    def handle(self, *args, kind: str, file: str, dry_run: bool, user: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(file)s") % {"file": file})
        acting = None
        if user:
            acting = get_user_model().objects.filter(username=user).select_related("profile").first()
            if acting is None:
                raise CommandError(_("找不到用户：%(user)s") % {"user": user})
            if not can_import(acting):
                raise CommandError(
                    _("用户 %(user)s 无权导入数据（仅限乡镇消防专干和指导中心）。") % {"user": user}
                )
        try:
            check_upload(name=path.name, size=path.stat().st_size)
        except FileRefused as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from None
        with path.open("rb") as fileobj:
            result = run_import(kind=kind, fileobj=fileobj, user=acting, dry_run=dry_run)
        if not result.ok:
            for line in result.error_lines():
                self.stderr.write(line)
            raise CommandError(_("导入未通过：%(summary)s。") % {"summary": result.summary()})
        if options["verbosity"] > 1:
            for row in result.rows:
                empty = _("（空）")
                changes = _("；").join(
                    _("%(column)s：%(old)s → %(new)s")
                    % {"column": column_title(c.column), "old": c.old or empty, "new": c.new or empty}
                    for c in row.changes
                )
                outcome = f"{ACTION_LABELS[row.outcome]} {row.label} {changes}".rstrip()
                self.stdout.write(_("行 %(row)d：%(message)s") % {"row": row.number, "message": outcome})
        self.stdout.write(self.style.SUCCESS(result.summary()))
