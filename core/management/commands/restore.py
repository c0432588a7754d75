from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import backup_restore
from core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "从备份文件恢复数据库和上传文件（会覆盖当前数据）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据")

    def handle(self, *args, archive, yes=False, **options):
        if not yes:
            raise CommandError("恢复会覆盖当前全部数据；确认请加 --yes。")
        try:
            counts = backup_restore(archive=archive)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复 {sum(counts.values())} 行数据，各表行数与备份一致。"))
