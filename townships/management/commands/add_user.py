import secrets

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from core.models import Role
from core.services import user_create_with_role
from townships.models import County, PoliceStation, Premises, Township


class Command(BaseCommand):
    help = "创建用户并指定角色，例如：add_user zhangsan --role township_lead --township 北关镇"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, help="、".join(f"{v}（{label}）" for v, label in Role.choices)
        )
        parser.add_argument("--township", help="乡镇（街道办）名称")
        parser.add_argument("--police-station", help="派出所名称")
        parser.add_argument("--premises", type=int, help="单位编号（单位消防安全责任人）")
        parser.add_argument("--county", help="县名（县级用户；省级部署时区分各县）")
        parser.add_argument("--password", help="不指定则生成随机密码并打印一次")
        parser.add_argument("--email", default="")
        parser.add_argument("--principal-leader", action="store_true", help="乡镇主要领导（接收升级提醒）")

    def handle(self, *args, **o):
        def lookup(model, label, **kwargs):
            matches = list(model.objects.filter(**kwargs)[:2])
            if not matches:
                raise CommandError(f"未找到{label}：{next(iter(kwargs.values()))}")
            if len(matches) > 1:
                raise CommandError(f"{label}“{next(iter(kwargs.values()))}”不唯一，请加 --county 区分。")
            return matches[0]

        county = lookup(County, "县", name=o["county"]) if o["county"] else None
        extra = {"county": county} if county else {}
        township = lookup(Township, "乡镇", name=o["township"], **extra) if o["township"] else None
        station = (
            lookup(PoliceStation, "派出所", name=o["police_station"], **extra)
            if o["police_station"]
            else None
        )
        premises = lookup(Premises, "单位", pk=o["premises"]) if o["premises"] else None
        password = o["password"] or secrets.token_urlsafe(12)
        try:
            user = user_create_with_role(
                username=o["username"],
                role=o["role"],
                password=password,
                township=township,
                police_station=station,
                premises=premises,
                county=county,
                is_principal_leader=o["principal_leader"],
                email=o["email"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {user.username}（{Role(o['role']).label}）"))
        if not o["password"]:
            self.stdout.write(f"初始密码（只显示一次）：{password}")
