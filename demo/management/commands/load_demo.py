from django.core.management.base import BaseCommand

from demo.county import DEMO_PASSWORD
from demo.loader import demo_load


class Command(BaseCommand):
    help = "载入演示县（民权县）、2021-11-17 推进会及当前防控季；可重复执行，不会重复添加。"

    def handle(self, *args, **options):
        created = demo_load()
        total = sum(created.values())
        if total:
            detail = "，".join(f"{k} {v}" for k, v in created.items() if v)
            self.stdout.write(self.style.SUCCESS(f"演示数据已载入：{detail}"))
            if DEMO_PASSWORD:
                self.stdout.write(
                    self.style.SUCCESS(
                        "演示账号（本次新建的账号密码相同，只显示这一次）：county 县领导、center 指导中心、"
                        "beiguan 北关镇消防专干、chumiao 褚庙乡消防专干、police_beiguan 北关派出所、"
                        "market_beiguan 单位责任人、fire_rescue 县消防救援大队、dept_center 指导中心（县直部门）、"
                        "dept_finance 县财政局、dept_police 县公安局、beiguan_grid1 / beiguan_grid2 / chumiao_grid1 网格员、"
                        "<乡镇拼音>_leader 各乡镇主要领导"
                        f"（如 beiguan_leader、chumiao_leader）；密码：{DEMO_PASSWORD[0]}"
                    )
                )
        else:
            self.stdout.write("演示数据已存在，未做改动。")
