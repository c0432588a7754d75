"""Writes that belong to no single domain app: users and their roles, API tokens."""

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.exceptions import ApplicationError, ConflictError
from core.models import ApiToken, Role, UserProfile
from core.qr import new_token
from core.selectors import api_token_digest


@transaction.atomic
def user_create_with_role(
    *,
    username: str,
    role: str,
    password: str,
    township=None,
    police_station=None,
    premises=None,
    department=None,
    grid_member=None,
    county=None,
    is_principal_leader: bool = False,
    email: str = "",
    full_name: str = "",
):
    """Create a user with a role. Preconditions checked here: the role exists, the role has the link
    that scopes it (township, police station, premises, county department or grid registry entry) and
    no other, the fire
    rescue authority its county, the password is strong."""
    if role not in Role.values:
        raise ApplicationError(
            _("未知角色：%(role)s。可选：%(roles)s") % {"role": role, "roles": "、".join(Role.values)}
        )
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ConflictError(_("用户名 %(username)s 已存在。") % {"username": username})
    links = {
        "township": township,
        "police_station": police_station,
        "premises": premises,
        "department": department,
        "grid_member": grid_member,
    }
    needs = {
        Role.TOWNSHIP_LEAD: "township",
        Role.POLICE_STATION: "police_station",
        Role.PREMISES_RESPONSIBLE: "premises",
        Role.COUNTY_DEPARTMENT: "department",
        Role.GRID_MEMBER: "grid_member",
    }
    what = {
        "township": _("乡镇"),
        "police_station": _("派出所"),
        "premises": _("单位"),
        "department": _("县直部门"),
        "grid_member": _("网格员登记"),
    }
    if role in needs and links[needs[role]] is None:
        raise ApplicationError(
            _("角色 %(role)s 必须指定所属%(what)s。") % {"role": Role(role).label, "what": what[needs[role]]}
        )
    given = {name for name, link in links.items() if link}
    allowed = {needs[role]} if role in needs else set()
    if given - allowed:
        raise ApplicationError(
            _("角色 %(role)s 不能指定乡镇、派出所、单位、县直部门或网格员登记。") % {"role": Role(role).label}
        )
    if county is None:
        grid_township = grid_member.grid.township if grid_member is not None else None
        place = (
            township or police_station or getattr(premises, "township", None) or department or grid_township
        )
        county = getattr(place, "county", None)
    if role == Role.FIRE_RESCUE and county is None:
        raise ApplicationError(_("角色 %(role)s 必须指定所属县。") % {"role": Role(role).label})
    # The person's name as the pages show it (core.text.person_name): a Chinese name whole.
    user = user_model(username=username, email=email, first_name=full_name.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages)) from exc
    user.set_password(password)
    user.is_staff = role == Role.GUIDANCE_CENTER
    user.save()
    UserProfile.objects.create(
        user=user,
        role=role,
        township=township,
        police_station=police_station,
        premises=premises,
        department=department,
        grid_member=grid_member,
        county=county,
        is_principal_leader=is_principal_leader,
    )
    if role == Role.GUIDANCE_CENTER:
        group, _created = Group.objects.get_or_create(name="指导中心")
        # The domain apps, and the API tokens it may revoke in the admin.
        group.permissions.add(
            *Permission.objects.filter(
                models.Q(content_type__app_label__in=["townships", "firebrigade", "inspections", "meetings"])
                | models.Q(content_type__app_label="core", content_type__model="apitoken")
            )
        )
        user.groups.add(group)
    return user


# --- the shared steps of every write ---------------------------------------------------------------


def refuse_unknown_fields(data: dict[str, Any], allowed: frozenset[str]) -> None:
    """A service changes only the fields it names: anything else is refused, not ignored."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApplicationError(_("以下字段不能在此修改：%(fields)s") % {"fields": "、".join(unknown)})


def record_save(instance: models.Model, *, by, reason: str | None = None) -> models.Model:
    """full_clean() then save(), recording `by` (and a change reason) in the history."""
    instance.full_clean()
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance


def record_step(locked: models.Model, *, target: models.Model, by, fields: list[str]) -> None:
    """Save the `fields` a process step set on the locked row (and its `updated_at`), recording `by`
    in the history; bring `target`, the caller's instance, up to date."""
    locked._history_user = by
    locked.save(update_fields=[*fields, "updated_at"])
    copy_saved(target=target, source=locked)


def record_delete(instance: models.Model, *, by) -> None:
    """Delete a row, recording `by` in its history."""
    instance._history_user = by
    instance.delete()


def copy_saved(*, target: models.Model, source: models.Model) -> None:
    """Bring the caller's instance (a form's, the admin's, an unsaved one) up to date with the row a
    service saved: its values, its primary key and its saved state."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


def model_update(
    instance: models.Model,
    *,
    data: dict[str, Any],
    allowed: frozenset[str],
    by,
    check: Callable[[models.Model], None] | None = None,
    reason: str | None = None,
) -> models.Model:
    """The update every service does: refuse fields outside `allowed`, lock the row, set `data`,
    run the service's rules `check(locked)` on the new values, validate, record who (and why),
    save, and bring `instance` up to date. Returns `instance`. Call inside the service's
    transaction (the lock lasts until it commits)."""
    refuse_unknown_fields(data, allowed)
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    for field, value in data.items():
        setattr(locked, field, value)
    if check is not None:
        check(locked)
    record_save(locked, by=by, reason=reason)
    copy_saved(target=instance, source=locked)
    return instance


@transaction.atomic
def reference_record_save(
    instance: models.Model,
    *,
    data: dict[str, Any],
    by,
    many: dict[str, list] | None = None,
    check: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Create (unsaved `instance`) or change (saved one, row locked) a record that has no rule beyond its
    fields, its constraints and `check(locked_instance)`, as the admin does: check, full_clean, history
    user, save, then the many-to-many sets.

    For reference data with no process rule: townships, police stations, grid details, checklist
    items. Every other write has its own service.
    """
    model = type(instance)
    if instance.pk is not None:
        instance = model.objects.select_for_update().get(pk=instance.pk)
    for field, value in data.items():
        setattr(instance, field, value)
    if check is not None:
        check(instance)
    record_save(instance, by=by)
    for field, values in (many or {}).items():
        getattr(instance, field).set(values)
    return instance


# -- API tokens -------------------------------------------------------------------------------------

# A token's last use is written at most this often (not one write per request).
TOKEN_USE_RECORDED_EVERY = dt.timedelta(minutes=5)


def api_token_issue(*, user, name: str = "", by) -> tuple[ApiToken, str]:
    """A new API key for `user`, valid API_TOKEN_TTL_DAYS: the token row and the key, which is
    returned this once and never stored (only its digest)."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[: ApiToken._meta.get_field("name").max_length],
        prefix=key[: ApiToken.PREFIX_LENGTH],
        digest=api_token_digest(key),
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, key


def api_token_refusal(token: ApiToken | None) -> str | None:
    """Why a presented token lets no one in (None: it is good)."""
    if token is None or token.revoked_at is not None or token.expires_at <= timezone.now():
        return _("令牌无效、已过期或已撤销，请重新登录获取新令牌。")
    if not token.user.is_active:
        return _("该用户已停用。")
    return None


def api_token_used(token: ApiToken) -> None:
    """Note that the token was used (for the owner's list: which phone is still active)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token at once (its owner or the guidance center). Revoking twice changes nothing."""
    access.check_token_revoke(by=by, token=token)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


# -- 一店一码: the shared mechanics of a record's QR codes (core.models.ScanCode) ---------------------
# Each app's services check who may (its access policy) and lock the record, then call these.


def _code_user(by):
    return by if getattr(by, "is_authenticated", False) else None


def scan_code_in_force(codes: models.QuerySet):
    """The code in force among a record's `codes` (a related manager or queryset), or None."""
    return codes.filter(revoked_at__isnull=True).first()


def scan_code_issue(model: type[models.Model], *, owner_field: str, owner: models.Model, by):
    """The code in force of `owner` (its row locked by the caller), a new one if it has none: issuing
    twice gives the same label, and a label sheet printed again prints the same codes."""
    existing = scan_code_in_force(model.objects.filter(**{owner_field: owner}))
    if existing is not None:
        return existing
    return record_save(model(**{owner_field: owner}, token=new_token(), issued_by=_code_user(by)), by=by)


def scan_code_revoke(code: models.Model, *, by, reason: str | None = None) -> None:
    """Revoke `code` (locked by the caller): its token is refused from now on, for good."""
    if code.revoked_at is not None:
        raise ConflictError(_("这个二维码已经作废。"))
    code.revoked_at = timezone.now()
    code.revoked_by = _code_user(by)
    code._history_user = by
    if reason:
        code._change_reason = reason
    code.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
