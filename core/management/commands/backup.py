from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.backup import backup_create
from core.exceptions import ApplicationError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # read when the parser is made, in the active language
        return _("备份数据库（PostgreSQL 或 SQLite）和上传文件到一个 .tar.gz 文件。")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help=_("备份文件路径（默认 var/backups/ 下按时间命名）"))

    def handle(self, *args, output=None, **options):
        try:
            path = backup_create(output=output)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(_("已备份到 %(path)s") % {"path": path}))
