from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# Declared in code; editable afterwards in the admin (django-celery-beat). Rerunning keeps edits
# to the timing and only recreates a missing task. A task's name is its identity (how a rerun finds
# it), stored as written here: it is not translated, or a run in another language would add it twice.
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
    {
        "name": "每日提醒汇总推送（北京时间 08:00）",
        "task": "digests.build",
        "crontab": {"minute": "0", "hour": "8"},
    },
    {
        "name": "补发提醒汇总（北京时间 14:00）",
        "task": "digests.build",
        "crontab": {"minute": "0", "hour": "14"},
    },
    # Retries whose backoff has passed, deliveries a dead worker left, reminders for people
    # without a digest.
    {"name": "发送到期消息（每分钟）", "task": "deliveries.sweep", "every_minutes": 1},
    # An import whose worker died stays "running": ended as failed, so it can be uploaded again.
    {"name": "结束中断的导入（每 10 分钟）", "task": "imports.end_stale_jobs", "every_minutes": 10},
]

# Tasks that no longer exist: their schedules are removed, or beat would send what no worker knows.
RETIRED_TASKS = ["notifications.send_emails"]


class Command(BaseCommand):
    help = gettext_lazy("创建定时任务（Celery beat）；已存在的保留其在后台的修改。")

    @transaction.atomic
    def handle(self, *args, **options):
        for task in PeriodicTask.objects.filter(task__in=RETIRED_TASKS):
            task.delete()
            self.stdout.write(_("已删除过时的定时任务：%(name)s") % {"name": task.name})
        for spec in SCHEDULES:
            if PeriodicTask.objects.filter(name=spec["name"]).exists():
                self.stdout.write(_("已存在：%(name)s") % {"name": spec["name"]})
                continue
            if "crontab" in spec:
                crontab, _created = CrontabSchedule.objects.get_or_create(
                    **spec["crontab"],
                    day_of_week="*",
                    day_of_month="*",
                    month_of_year="*",
                    timezone="Asia/Shanghai",
                )
                PeriodicTask.objects.create(name=spec["name"], task=spec["task"], crontab=crontab)
            else:
                interval, _created = IntervalSchedule.objects.get_or_create(
                    every=spec["every_minutes"], period=IntervalSchedule.MINUTES
                )
                PeriodicTask.objects.create(name=spec["name"], task=spec["task"], interval=interval)
            self.stdout.write(self.style.SUCCESS(_("已创建：%(name)s") % {"name": spec["name"]}))
