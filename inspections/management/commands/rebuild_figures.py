from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections import tallies


class Command(BaseCommand):
    @property
    def help(self) -> str:  # read when the parser is made, in the active language
        return _(
            "从隐患、检查计划和检查记录重新计算各乡镇、各防控行动的统计数（隐患统计、计划进度）。"
            "--check：只比较，逐条列出不一致之处，有不一致时以非零状态退出。"
        )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help=_("只检查，不改写"))

    def handle(self, *args, check=False, **options):
        if check:
            lines = tallies.differences()
            for line in lines:
                self.stdout.write(line)
            if lines:
                raise CommandError(
                    _("统计数与明细不一致：%(n)s 处。运行 rebuild_figures 重新计算。") % {"n": len(lines)}
                )
            self.stdout.write(_("统计数与明细一致。"))
            return
        with transaction.atomic():
            tallies.rebuild()
        self.stdout.write(self.style.SUCCESS(_("统计数已重新计算。")))
