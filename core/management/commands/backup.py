from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import backup_create
from core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 或 SQLite）和上传文件到一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="备份文件路径（默认 var/backups/ 下按时间命名）")

    def handle(self, *args, output=None, **options):
        try:
            path = backup_create(output=output)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}"))
