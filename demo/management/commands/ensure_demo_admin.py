import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "创建演示管理员（仅首次创建时打印一次密码）。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(f"演示管理员 {username} 已存在（密码见首次运行时的输出）。")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, password=password, email="")
        self.stdout.write(self.style.SUCCESS("=" * 60))
        self.stdout.write(self.style.SUCCESS(f"演示管理员已创建  用户名: {username}  密码: {password}"))
        self.stdout.write(self.style.SUCCESS("此密码只显示这一次，请妥善保存。"))
        self.stdout.write(self.style.SUCCESS("=" * 60))
