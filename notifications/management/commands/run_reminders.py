import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from notifications import rules, services
from notifications.models import Delivery


class Command(BaseCommand):
    help = "按指定日期（默认今天，北京时间）评估全部提醒规则；可重复执行，不会重复提醒。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD（北京时间的日期）")
        parser.add_argument(
            "--send", action="store_true", help="同时生成每日汇总并发送到期的邮件、群机器人和短信消息"
        )

    def handle(self, *args, date=None, send=False, **options):
        try:
            on = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError(f"日期格式不正确：{date!r}，应为 YYYY-MM-DD。") from exc
        result = services.reminders_run(on=on)
        for rule, created in result.items():
            self.stdout.write(f"{rules.RULES[rule].label}（{rule}）：新增 {created} 条")
        self.stdout.write(self.style.SUCCESS(f"合计新增 {sum(result.values())} 条提醒。"))
        if send:
            services.notifications_dispatch_pending()
            self.stdout.write(f"每日汇总 {services.digests_build()} 条。")
            outcomes = services.deliveries_send()
            while sum(outcomes.values()):
                for status, count in outcomes.items():
                    self.stdout.write(f"消息推送 {Delivery.Status(status).label}：{count} 条")
                outcomes = services.deliveries_send()
