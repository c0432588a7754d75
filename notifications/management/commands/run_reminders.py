import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications import rules, services
from notifications.models import Delivery


class Command(BaseCommand):
    help = gettext_lazy("按指定日期（默认今天，北京时间）评估全部提醒规则；可重复执行，不会重复提醒。")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=gettext_lazy("YYYY-MM-DD（北京时间的日期）"))
        parser.add_argument(
            "--send",
            action="store_true",
            help=gettext_lazy("同时生成每日汇总并发送到期的邮件、群机器人和短信消息"),
        )

    def handle(self, *args, date=None, send=False, **options):
        try:
            on = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError(_("日期格式不正确：%(date)r，应为 YYYY-MM-DD。") % {"date": date}) from exc
        result = services.reminders_run(on=on)
        for rule, created in result.items():
            self.stdout.write(
                _("%(label)s（%(rule)s）：新增 %(n)s 条")
                % {"label": rules.RULES[rule].label, "rule": rule, "n": created}
            )
        total = sum(result.values())
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("合计新增 %(n)s 条提醒。", "合计新增 %(n)s 条提醒。", total) % {"n": total}
            )
        )
        if send:
            services.notifications_dispatch_pending()
            self.stdout.write(_("每日汇总 %(n)s 条。") % {"n": services.digests_build()})
            outcomes = services.deliveries_send()
            while sum(outcomes.values()):
                for status, count in outcomes.items():
                    self.stdout.write(
                        _("消息推送 %(status)s：%(n)s 条")
                        % {"status": Delivery.Status(status).label, "n": count}
                    )
                outcomes = services.deliveries_send()
