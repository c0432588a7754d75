from django.core.management.base import BaseCommand

from core.demo import demo_load


class Command(BaseCommand):
    help = "载入演示县（民权县）及 2021-11-17 推进会；可重复执行，不会重复添加。"

    def handle(self, *args, **options):
        created = demo_load()
        total = sum(created.values())
        if total:
            detail = "，".join(f"{k} {v}" for k, v in created.items() if v)
            self.stdout.write(self.style.SUCCESS(f"演示数据已载入：{detail}"))
        else:
            self.stdout.write("演示数据已存在，未做改动。")
