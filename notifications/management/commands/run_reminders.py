import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from notifications import rules, services


class Command(BaseCommand):
    help = "按指定日期（默认今天，北京时间）评估全部提醒规则；可重复执行，不会重复提醒。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD（北京时间的日期）")
        parser.add_argument("--send-emails", action="store_true", help="同时发送待发邮件")

    def handle(self, *args, date=None, send_emails=False, **options):
        try:
            on = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError(f"日期格式不正确：{date!r}，应为 YYYY-MM-DD。") from exc
        result = services.reminders_run(on=on)
        for rule, created in result.items():
            self.stdout.write(f"{rules.RULES[rule].label}（{rule}）：新增 {created} 条")
        self.stdout.write(self.style.SUCCESS(f"合计新增 {sum(result.values())} 条提醒。"))
        if send_emails:
            self.stdout.write(f"已发送邮件 {services.notification_emails_send()} 封。")
