from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.backup import backup_restore
from core.exceptions import ApplicationError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # read when the parser is made, in the active language
        return _("从备份文件恢复数据库和上传文件（会覆盖当前数据）。")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help=_("确认覆盖当前数据"))

    def handle(self, *args, archive, yes=False, **options):
        if not yes:
            raise CommandError(_("恢复会覆盖当前全部数据；确认请加 --yes。"))
        try:
            counts = backup_restore(archive=archive)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("已恢复 %(rows)d 行数据，各表行数与备份一致。") % {"rows": sum(counts.values())}
            )
        )
