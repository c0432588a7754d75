from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Mainland mobile (11 digits, starting 1) or a landline with area code, e.g. 0370-8123456.
phone_validator = RegexValidator(
    r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
    _("请输入正确的电话号码：11 位手机号或带区号的固定电话（如 0370-8123456）。"),
)
