import secrets

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import Role
from core.services import user_create_with_role
from townships.models import County, CountyDepartment, GridMember, PoliceStation, Premises, Township


class Command(BaseCommand):
    @property
    def help(self) -> str:  # read when the parser is made, in the active language
        return _("创建用户并指定角色，例如：add_user zhangsan --role township_lead --township 北关镇")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, help="、".join(f"{v}（{label}）" for v, label in Role.choices)
        )
        parser.add_argument("--township", help=_("乡镇（街道办）名称"))
        parser.add_argument("--police-station", help=_("派出所名称"))
        parser.add_argument("--premises", type=int, help=_("单位编号（单位消防安全责任人）"))
        parser.add_argument("--department", help=_("县直部门名称（县直部门用户）"))
        parser.add_argument("--grid-member", type=int, help=_("网格员登记编号（网格员）"))
        parser.add_argument("--county", help=_("县名（县级用户；省级部署时区分各县）"))
        parser.add_argument("--password", help=_("不指定则生成随机密码并打印一次"))
        parser.add_argument("--email", default="")
        parser.add_argument("--principal-leader", action="store_true", help=_("乡镇主要领导（接收升级提醒）"))

    def handle(self, *args, **o):
        def lookup(model, **kwargs):
            label = model._meta.verbose_name
            name = next(iter(kwargs.values()))
            matches = list(model.objects.filter(**kwargs)[:2])
            if not matches:
                raise CommandError(_("未找到%(what)s：%(name)s") % {"what": label, "name": name})
            if len(matches) > 1:
                raise CommandError(
                    _("%(what)s“%(name)s”不唯一，请加 --county 区分。") % {"what": label, "name": name}
                )
            return matches[0]

        county = lookup(County, name=o["county"]) if o["county"] else None
        extra = {"county": county} if county else {}
        township = lookup(Township, name=o["township"], **extra) if o["township"] else None
        station = lookup(PoliceStation, name=o["police_station"], **extra) if o["police_station"] else None
        premises = lookup(Premises, pk=o["premises"]) if o["premises"] else None
        department = lookup(CountyDepartment, name=o["department"], **extra) if o["department"] else None
        grid_member = lookup(GridMember, pk=o["grid_member"]) if o["grid_member"] else None
        password = o["password"] or secrets.token_urlsafe(12)
        try:
            user = user_create_with_role(
                username=o["username"],
                role=o["role"],
                password=password,
                township=township,
                police_station=station,
                premises=premises,
                department=department,
                grid_member=grid_member,
                county=county,
                is_principal_leader=o["principal_leader"],
                email=o["email"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("已创建用户 %(user)s（%(role)s）") % {"user": user.username, "role": Role(o["role"]).label}
            )
        )
        if not o["password"]:
            self.stdout.write(_("初始密码（只显示一次）：%(password)s") % {"password": password})
