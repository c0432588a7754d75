"""The importable kinds, by ImportJob.Kind value. Each app declares its kinds in its own `imports`
module with `@register`; CoreConfig.ready() loads those modules the way the admin finds `admin`
modules (autodiscovery), so this framework imports no app."""

from django.utils.translation import gettext as _

from core.imports.base import ImportKind

KINDS: dict[str, ImportKind] = {}


def register(kind_class: type[ImportKind]) -> type[ImportKind]:
    """Class decorator: make `kind_class` importable under its `name`."""
    KINDS[kind_class.name] = kind_class()
    return kind_class


def get_kind(name: str) -> ImportKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(
            _("未知的导入类型：%(name)s（可选：%(kinds)s）") % {"name": name, "kinds": "、".join(KINDS)}
        ) from None
