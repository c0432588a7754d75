from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# Declared in code; editable afterwards in the admin (django-celery-beat). Rerunning keeps edits
# to the timing and only recreates a missing task.
SCHEDULES = [
    {
        "name": "每日提醒评估（北京时间 07:30）",
        "task": "reminders.dispatch",
        "crontab": {"minute": "30", "hour": "7"},
    },
    {
        "name": "每日提醒补发（北京时间 13:30）",
        "task": "reminders.dispatch",
        "crontab": {"minute": "30", "hour": "13"},
    },
    {"name": "发送待发提醒邮件（每 5 分钟）", "task": "notifications.send_emails", "every_minutes": 5},
]


class Command(BaseCommand):
    help = "创建定时任务（Celery beat）；已存在的保留其在后台的修改。"

    @transaction.atomic
    def handle(self, *args, **options):
        for spec in SCHEDULES:
            if PeriodicTask.objects.filter(name=spec["name"]).exists():
                self.stdout.write(f"已存在：{spec['name']}")
                continue
            if "crontab" in spec:
                crontab, _ = CrontabSchedule.objects.get_or_create(
                    **spec["crontab"],
                    day_of_week="*",
                    day_of_month="*",
                    month_of_year="*",
                    timezone="Asia/Shanghai",
                )
                PeriodicTask.objects.create(name=spec["name"], task=spec["task"], crontab=crontab)
            else:
                interval, _ = IntervalSchedule.objects.get_or_create(
                    every=spec["every_minutes"], period=IntervalSchedule.MINUTES
                )
                PeriodicTask.objects.create(name=spec["name"], task=spec["task"], interval=interval)
            self.stdout.write(self.style.SUCCESS(f"已创建：{spec['name']}"))
