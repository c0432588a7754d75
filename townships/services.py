"""Writes and rules of the townships app: townships, police stations, grids, premises and the
inspection schedule, responsibility agreements.

Every function is keyword-only, runs in one transaction, applies the app's access policy
(townships.access) to `by` before writing anything, records `by` as the history user and either
writes everything it promises or raises (AccessDenied / ApplicationError / ValidationError) having
written nothing. The `*_check_*` helpers hold the rules without writing, so admin forms can show
them as form errors before calling the writing service.

Premises are also written many at once (the Excel import): premises_build / premises_revise apply
exactly the rules of premises_create / premises_update to one unsaved or locked instance, without a
query when given PremisesLookups loaded once, and premises_save_many saves what they accepted in
bulk with its history rows.
"""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import geo
from core.clock import local_today
from core.exceptions import ApplicationError
from core.services import (
    copy_saved,
    model_update,
    record_delete,
    record_save,
    record_step,
    refuse_unknown_fields,
    scan_code_in_force,
    scan_code_issue,
    scan_code_revoke,
)
from core.signals import client_ip
from townships import access
from townships.models import (
    County,
    CountyDepartment,
    Grid,
    GridMember,
    PoliceStation,
    Premises,
    PremisesCode,
    ResponsibilityAgreement,
    SensitivePeriod,
    Township,
)
from townships.selectors import (
    DEFAULT_SCHEDULE,
    InspectionSchedule,
    inspection_schedule,
)

# The fields each door writes (API inputs, admin forms, the import take their lists from here).
# A township's county, a station's county, a grid's township and a premises' township are fixed
# once registered: records below them are filed (and scoped) under them.
TOWNSHIP_DETAILS = (
    "name",
    "kind",
    "principal_leader",
    "principal_leader_phone",
    "fire_deputy",
    "fire_deputy_phone",
)
TOWNSHIP_UPDATABLE_FIELDS = frozenset({*TOWNSHIP_DETAILS, "is_demo"})
POLICE_STATION_DETAILS = ("name", "chief", "phone", "townships")
POLICE_STATION_UPDATABLE_FIELDS = frozenset({*POLICE_STATION_DETAILS, "is_demo"})
GRID_DETAILS = ("name", "area_description")
GRID_MEMBER_DETAILS = ("name", "role", "phone")
GRID_MEMBER_UPDATABLE_FIELDS = frozenset({*GRID_MEMBER_DETAILS, "grid", "active"})
# The schedule fields move only through premises_record_inspection / premises_set_risk_level.
PREMISES_DETAILS = (
    "grid",
    "police_station",
    "name",
    "address",
    "category",
    "risk_level",
    "is_key_unit",
    "responsible_person",
    "responsible_phone",
    "manager",
    "manager_phone",
    "latitude",
    "longitude",
)
PREMISES_UPDATABLE_FIELDS = frozenset({*PREMISES_DETAILS, *access.CENTER_PREMISES_FIELDS})
AGREEMENT_UPDATABLE_FIELDS = frozenset({"signatory", "counterparty", "scope", "signed_on", "document"})


# --- townships and police stations (reference data the guidance center keeps) ---------------


@transaction.atomic
def township_create(
    *,
    county: County,
    name: str,
    kind: str,
    principal_leader: str = "",
    principal_leader_phone: str = "",
    fire_deputy: str = "",
    fire_deputy_phone: str = "",
    is_demo: bool = False,
    by=None,
) -> Township:
    """Register a township; its name must be new in the county."""
    access.check_township_change(by=by)
    township = Township(
        county=county,
        name=name,
        kind=kind,
        principal_leader=principal_leader,
        principal_leader_phone=principal_leader_phone,
        fire_deputy=fire_deputy,
        fire_deputy_phone=fire_deputy_phone,
        is_demo=is_demo,
    )
    return record_save(township, by=by)


@transaction.atomic
def township_update(*, township: Township, data: dict[str, Any], by=None) -> Township:
    """Change a township's details (keys of TOWNSHIP_UPDATABLE_FIELDS). Locks the row; the passed
    instance is brought up to date and returned."""
    access.check_township_change(by=by)
    return model_update(township, data=data, allowed=TOWNSHIP_UPDATABLE_FIELDS, by=by)


DEPARTMENT_UPDATABLE_FIELDS = frozenset({"name", "is_demo"})


@transaction.atomic
def department_create(*, county: County, name: str, is_demo: bool = False, by=None) -> CountyDepartment:
    """Register a county department (县直部门); its name must be new in the county."""
    access.check_department_change(by=by)
    return record_save(CountyDepartment(county=county, name=name, is_demo=is_demo), by=by)


@transaction.atomic
def department_update(*, department: CountyDepartment, data: dict[str, Any], by=None) -> CountyDepartment:
    """Rename a county department (keys of DEPARTMENT_UPDATABLE_FIELDS); its county is fixed."""
    access.check_department_change(by=by)
    return model_update(department, data=data, allowed=DEPARTMENT_UPDATABLE_FIELDS, by=by)


# A county's township boundaries are a few MB at most; a larger file is not one.
BOUNDARY_FILE_MAX_BYTES = 10 * 1024 * 1024
# The property that names a feature's township, in the order they are looked for.
BOUNDARY_NAME_KEYS = ("name", "名称", "NAME", "Name", "乡镇")


@dataclass(frozen=True)
class BoundaryUpload:
    """What an upload of township boundaries set: the townships drawn, and the county's townships
    the file left out (they keep the boundary they had)."""

    drawn: list[str]
    left_out: list[str]


def _boundary_problems(collection, townships: dict[str, Township]) -> tuple[list[str], dict[int, dict]]:
    """(every problem, by feature number; the geometry for each township id) of a FeatureCollection."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return [_("文件须为 GeoJSON 的 FeatureCollection（要素集合）。")], {}
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        return [_("文件中没有任何要素（features）。")], {}
    problems: list[str] = []
    found: dict[int, dict] = {}
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        where = _("第 %(number)d 个要素") % {"number": number}
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            properties = {}
        name = next((properties[key] for key in BOUNDARY_NAME_KEYS if properties.get(key)), None)
        if not isinstance(name, str) or not name.strip():
            problems.append(_("%(where)s：缺少乡镇名称（properties.name）。") % {"where": where})
            continue
        name = name.strip()
        where = _("第 %(number)d 个要素（%(name)s）") % {"number": number, "name": name}
        township = townships.get(name)
        if township is None:
            problems.append(_("%(where)s：本县没有这个乡镇（街道办）。") % {"where": where})
            continue
        if name in seen:
            problems.append(
                _("%(where)s：与第 %(first)d 个要素重复。") % {"where": where, "first": seen[name]}
            )
            continue
        seen[name] = number
        problem = geo.geometry_problem(feature.get("geometry"))
        if problem:
            problems.append(_("%(where)s：%(problem)s") % {"where": where, "problem": problem})
            continue
        geometry = feature["geometry"]
        found[township.pk] = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    return problems, found


@transaction.atomic
def township_boundaries_upload(*, county: County, content: bytes, by=None) -> BoundaryUpload:
    """Set the boundaries of `county`'s townships from a GeoJSON FeatureCollection (`content`, the
    file's bytes): one Polygon or MultiPolygon feature per township, named by its `name` property.
    The guidance center's. All or nothing: any problem (the file, a feature without a known
    township name, a township twice, a geometry that is not an area) refuses the whole file with
    every problem listed (ApplicationError, `extra["problems"]`), and nothing is written.
    Townships the file leaves out keep their boundary and are reported."""
    access.check_township_change(by=by)
    if len(content) > BOUNDARY_FILE_MAX_BYTES:
        raise ApplicationError(
            _("文件超过 %(mb)d MB，不是乡镇边界文件。") % {"mb": BOUNDARY_FILE_MAX_BYTES // (1024 * 1024)}
        )
    try:
        collection = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ApplicationError(_("文件不是 UTF-8 编码的 GeoJSON（JSON）文件。")) from exc
    townships = {
        t.name: t for t in Township.objects.select_for_update().filter(county=county).order_by("name")
    }
    problems, found = _boundary_problems(collection, townships)
    if problems:
        raise ApplicationError(
            _("乡镇边界文件有 %(count)d 处问题，未作任何修改。") % {"count": len(problems)},
            extra={"problems": problems},
        )
    drawn = []
    for township in townships.values():
        if township.pk in found and township.boundary != found[township.pk]:
            township.boundary = found[township.pk]
            record_step(township, target=township, by=by, fields=["boundary"])
        if township.pk in found:
            drawn.append(township.name)
    left_out = [name for name, t in townships.items() if t.pk not in found]
    return BoundaryUpload(drawn=drawn, left_out=left_out)


# Fix from a phone's inspection coarser than this does not place the premises (metres).
PREMISES_FIX_MAX_ACCURACY_M = 100


def premises_place_from_fix(*, premises: Premises, point: geo.Point, accuracy_m: int | None, by=None) -> bool:
    """Place a premises that has no location yet where an inspection of it was recorded on a phone
    (a fix of `accuracy_m` metres or better, PREMISES_FIX_MAX_ACCURACY_M; an unknown accuracy is
    taken as given, as an API client's coordinates are). A located premises is not moved by a fix:
    its place is corrected on purpose (premises_update). A step of recording an inspection: who may
    record it is the inspections policy's, so nothing is checked again here. True when placed."""
    if accuracy_m is not None and accuracy_m > PREMISES_FIX_MAX_ACCURACY_M:
        return False
    locked = Premises.objects.select_for_update().get(pk=premises.pk)
    if locked.latitude is not None:
        return False
    locked.latitude = geo.degrees(point.latitude)
    locked.longitude = geo.degrees(point.longitude)
    record_step(locked, target=premises, by=by, fields=["latitude", "longitude"])
    return True


@transaction.atomic
def police_station_create(
    *,
    county: County,
    name: str,
    chief: str = "",
    phone: str = "",
    townships: Iterable[Township] = (),
    is_demo: bool = False,
    by=None,
) -> PoliceStation:
    """Register a police station covering `townships`; its name must be new in the county."""
    access.check_police_station_change(by=by)
    station = record_save(
        PoliceStation(county=county, name=name, chief=chief, phone=phone, is_demo=is_demo), by=by
    )
    station.townships.set(townships)
    return station


@transaction.atomic
def police_station_update(*, police_station: PoliceStation, data: dict[str, Any], by=None) -> PoliceStation:
    """Change a station's details and area (keys of POLICE_STATION_UPDATABLE_FIELDS; `townships`
    is the whole new area). Locks the row; dropping a township while premises there still name the
    station is refused (police_station_check_coverage, under the lock). The passed instance is
    brought up to date and returned."""
    access.check_police_station_change(by=by)
    fields = dict(data)
    townships = fields.pop("townships", None)

    def coverage(locked: PoliceStation) -> None:
        if townships is not None:
            police_station_check_coverage(police_station=locked, townships=townships)

    model_update(police_station, data=fields, allowed=POLICE_STATION_UPDATABLE_FIELDS, by=by, check=coverage)
    if townships is not None:
        police_station._history_user = by  # the history row the area change records
        police_station.townships.set(townships)
    return police_station


def police_station_check_coverage(*, police_station: PoliceStation, townships: Iterable[Township]) -> None:
    """Refuse dropping a township from a station's area while premises there still name the station."""
    if police_station.pk is None:
        return
    keep = {t.pk for t in townships}
    orphaned = (
        Township.objects.filter(premises__police_station=police_station)
        .exclude(pk__in=keep)
        .distinct()
        .values_list("name", flat=True)
    )
    names = sorted(orphaned)
    if names:
        raise ApplicationError(
            _("%(townships)s仍有社会单位登记为本派出所辖区，请先调整这些单位的辖区派出所。")
            % {"townships": "、".join(names)}
        )


# --- premises -------------------------------------------------------------------------------


def inspection_due_date(
    *, risk_level: str, inspected_on: dt.date | None, schedule: InspectionSchedule = DEFAULT_SCHEDULE
) -> dt.date | None:
    """Next inspection date for a premises of `risk_level` last inspected on `inspected_on`, by its
    county's `schedule`: the interval of its risk level; for a high-risk premises, sooner where a
    sensitive period comes first — due on the period's first day at the latest, then every
    period's days while it lasts (a date past the period's end is not brought forward)."""
    if inspected_on is None:
        return None
    try:
        days = schedule.days[risk_level]
    except KeyError:
        raise ApplicationError(_("未知的风险等级：%(level)s") % {"level": risk_level}) from None
    due = inspected_on + dt.timedelta(days=days)
    if risk_level == Premises.RiskLevel.HIGH:
        for starts_on, ends_on, period_days in schedule.periods:
            if ends_on < inspected_on:
                continue
            tightened = max(inspected_on + dt.timedelta(days=period_days), starts_on)
            if tightened <= ends_on and tightened < due:
                due = tightened
    return due


# --- the county's inspection schedule (the guidance center's) --------------------------------

COUNTY_SCHEDULE_FIELDS = frozenset({"inspection_days_high", "inspection_days_medium", "inspection_days_low"})
COUNTY_DETAILS = ("name", "code", "brigade_coverage_km", *sorted(COUNTY_SCHEDULE_FIELDS))
COUNTY_UPDATABLE_FIELDS = frozenset({*COUNTY_DETAILS, "is_demo"})
SENSITIVE_PERIOD_DETAILS = ("name", "starts_on", "ends_on", "high_risk_days")


@transaction.atomic
def county_create(*, by=None, **details: Any) -> County:
    """Register a county (keys of COUNTY_UPDATABLE_FIELDS): the guidance center only."""
    access.check_township_change(by=by)
    refuse_unknown_fields(details, COUNTY_UPDATABLE_FIELDS)
    return record_save(County(**details), by=by)


@transaction.atomic
def county_update(*, county: County, data: dict[str, Any], by=None) -> County:
    """Change a county's details (keys of COUNTY_UPDATABLE_FIELDS). New inspection intervals
    reschedule every premises of the county, in the same transaction."""
    if COUNTY_SCHEDULE_FIELDS.intersection(data):
        access.check_schedule_change(by=by)
    access.check_township_change(by=by)
    before = {name: getattr(county, name) for name in COUNTY_SCHEDULE_FIELDS}
    model_update(county, data=data, allowed=COUNTY_UPDATABLE_FIELDS, by=by)
    if any(getattr(county, name) != before[name] for name in COUNTY_SCHEDULE_FIELDS):
        premises_reschedule(county_id=county.pk)
    return county


@transaction.atomic
def sensitive_period_create(*, county: County, by=None, **details: Any) -> SensitivePeriod:
    """Add a sensitive period (keys of SENSITIVE_PERIOD_DETAILS) and reschedule the county's
    high-risk premises."""
    access.check_schedule_change(by=by)
    refuse_unknown_fields(details, frozenset(SENSITIVE_PERIOD_DETAILS))
    period = record_save(SensitivePeriod(county=county, **details), by=by)
    premises_reschedule(county_id=county.pk)
    return period


@transaction.atomic
def sensitive_period_update(*, period: SensitivePeriod, data: dict[str, Any], by=None) -> SensitivePeriod:
    access.check_schedule_change(by=by)
    model_update(period, data=data, allowed=frozenset(SENSITIVE_PERIOD_DETAILS), by=by)
    premises_reschedule(county_id=period.county_id)
    return period


@transaction.atomic
def sensitive_period_delete(*, period: SensitivePeriod, by=None) -> None:
    access.check_schedule_change(by=by)
    county_id = period.county_id
    record_delete(period, by=by)
    premises_reschedule(county_id=county_id)


def premises_reschedule(*, county_id: int) -> int:
    """Recompute next_inspection_due of every inspected premises of the county by its schedule, in
    bulk; returns how many moved. No history row per premises: the change of the rule is recorded
    in the county's (or the period's) history, and thousands of rows saying the same would bury
    the premises' own changes."""
    schedule = inspection_schedule(county_id=county_id)
    moved = []
    premises = (
        Premises.objects.filter(township__county_id=county_id, last_inspected_on__isnull=False)
        .only("pk", "risk_level", "last_inspected_on", "next_inspection_due")
        .order_by("pk")
    )
    for row in premises.iterator(chunk_size=BULK_BATCH):
        if row.risk_level not in schedule.days:
            continue  # an unknown level is the field check's to name, not this step's
        due = inspection_due_date(
            risk_level=row.risk_level, inspected_on=row.last_inspected_on, schedule=schedule
        )
        if due != row.next_inspection_due:
            row.next_inspection_due = due
            moved.append(row)
    Premises.objects.bulk_update(moved, ["next_inspection_due"], batch_size=BULK_BATCH)
    return len(moved)


@dataclass
class PremisesLookups:
    """What the premises rules would ask the database, asked once for many premises (an import).

    `coverage`: (police station id, township id) pairs, which station covers which township.
    `taken`: for each unique constraint of Premises on plain fields, the keys in use and who holds
    them (a saved premises' pk, or the unsaved instance premises_build made with these lookups).
    Both are complete for `township_ids` only: a premises elsewhere is checked in the database.
    Load them with premises_lookups inside the transaction that writes, and build or revise every
    premises of the batch with them: each claims its keys, so two in one batch cannot share one.
    """

    township_ids: frozenset[int]
    coverage: set[tuple[int, int]]
    taken: dict[str, dict[tuple, Any]] = field(default_factory=dict)
    schedules: dict[int, InspectionSchedule] = field(default_factory=dict)

    def schedule(self, county_id: int) -> InspectionSchedule:
        """The county's inspection schedule, read once per county."""
        if county_id not in self.schedules:
            self.schedules[county_id] = inspection_schedule(county_id=county_id)
        return self.schedules[county_id]

    def covers(self, *, police_station: PoliceStation, township: Township) -> bool | None:
        """Whether the station covers the township; None when these lookups cannot tell."""
        if township.pk not in self.township_ids:
            return None
        return (police_station.pk, township.pk) in self.coverage

    def knows(self, constraint: UniqueConstraint, premises: Premises) -> bool:
        return constraint.name in self.taken and (
            "township" not in constraint.fields or premises.township_id in self.township_ids
        )

    def keys_of(self, premises: Premises) -> dict[str, tuple | None]:
        return {
            constraint.name: _premises_key(constraint, premises)
            for constraint in _KEYED_CONSTRAINTS
            if self.knows(constraint, premises)
        }

    def claim(self, premises: Premises, previous: dict[str, tuple | None] | None = None) -> None:
        """Record `premises` as holding its keys (and no longer `previous`, its keys before a change)."""
        owner = premises.pk if premises.pk is not None else premises
        for name, key in (previous or {}).items():
            if key is not None and self.taken[name].get(key) == owner:
                del self.taken[name][key]
        for name, key in self.keys_of(premises).items():
            if key is not None:
                self.taken[name][key] = owner


# Unique constraints on plain fields, with no condition: checked against PremisesLookups.taken.
# Any other constraint the model may gain is checked in the database, row by row, as full_clean does.
_KEYED_CONSTRAINTS = [
    constraint
    for constraint in Premises._meta.constraints
    if isinstance(constraint, UniqueConstraint)
    and constraint.fields
    and constraint.condition is None
    and constraint.nulls_distinct is not False
]


def _premises_key(constraint: UniqueConstraint, premises: Premises) -> tuple | None:
    """The premises' key under `constraint`; None when a part is NULL (SQL: never a duplicate)."""
    key = tuple(getattr(premises, Premises._meta.get_field(name).attname) for name in constraint.fields)
    return None if None in key else key


def premises_lookups(*, township_ids: Iterable[int]) -> PremisesLookups:
    """Load what the premises rules need for premises of `township_ids` (a query per unique
    constraint, one for the police stations' areas). Call inside the transaction that writes."""
    township_ids = frozenset(township_ids)
    coverage = set(
        PoliceStation.townships.through.objects.filter(township_id__in=township_ids).values_list(
            "policestation_id", "township_id"
        )
    )
    lookups = PremisesLookups(township_ids=township_ids, coverage=coverage)
    for constraint in _KEYED_CONSTRAINTS:
        queryset = Premises.objects.all()
        if "township" in constraint.fields:
            queryset = queryset.filter(township_id__in=township_ids)
        attnames = [Premises._meta.get_field(name).attname for name in constraint.fields]
        lookups.taken[constraint.name] = {
            tuple(values): pk for pk, *values in queryset.values_list("pk", *attnames).iterator()
        }
    return lookups


def premises_check_links(
    *,
    township: Township | None,
    grid: Grid | None,
    police_station: PoliceStation | None,
    lookups: PremisesLookups | None = None,
) -> None:
    """Refuse a grid outside the premises' township, or a police station that does not cover it.
    With `lookups`, the station's area is read from them (no query) when they know the township."""
    if township is None:
        return
    if grid is not None and grid.township_id != township.pk:
        raise ApplicationError(
            _("网格“%(grid)s”不属于%(township)s，请选择本乡镇的网格。")
            % {"grid": grid.name, "township": township.name}
        )
    if police_station is None:
        return
    covers = None if lookups is None else lookups.covers(police_station=police_station, township=township)
    if covers is None:
        covers = police_station.townships.filter(pk=township.pk).exists()
    if not covers:
        raise ApplicationError(
            _("派出所“%(station)s”的辖区不包括%(township)s，请选择辖区派出所。")
            % {"station": police_station.name, "township": township.name}
        )


def premises_check_fields(*, premises: Premises, lookups: PremisesLookups | None = None) -> None:
    """Validate `premises` as full_clean does (its fields, foreign keys and constraints), raising the
    same ValidationError. With `lookups`, without a query: a foreign key to an object loaded from the
    database is taken as existing (the database still holds it), the unique keys are compared with
    `lookups.taken` where they are complete."""
    if lookups is None:
        premises.full_clean()
        return
    loaded = {
        f.name
        for f in Premises._meta.concrete_fields
        if f.is_relation
        and (related := f.get_cached_value(premises, None)) is not None
        and related.pk is not None
        and not related._state.adding
    }
    errors: dict[str, list] = {}
    try:
        premises.full_clean(exclude=loaded, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    # As full_clean: constraints only on the fields that passed (the loaded foreign keys included).
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    constraint_errors: dict[str, list] = {}
    for constraint in Premises._meta.constraints:
        try:
            if constraint in _KEYED_CONSTRAINTS and lookups.knows(constraint, premises):
                _premises_check_key(constraint, premises, lookups, exclude=failed)
            elif geo.is_location_constraint(constraint):
                if not failed.intersection(("latitude", "longitude")):
                    geo.location_check(premises, constraint)
            else:
                constraint.validate(Premises, premises, exclude=failed)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "unique" and len(constraint.fields) == 1:
                constraint_errors.setdefault(constraint.fields[0], []).append(exc)
            else:
                constraint_errors = exc.update_error_dict(constraint_errors)
    if constraint_errors:
        errors = ValidationError(constraint_errors).update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _premises_check_key(
    constraint: UniqueConstraint, premises: Premises, lookups: PremisesLookups, *, exclude: set[str]
) -> None:
    """UniqueConstraint.validate against lookups.taken: the same refusal, in the same words."""
    if any(name in exclude for name in constraint.fields):
        return
    key = _premises_key(constraint, premises)
    if key is None:
        return
    owner = lookups.taken[constraint.name].get(key)
    if owner is None or owner is premises:
        return
    if owner == premises.pk and not premises._state.adding:
        return
    if constraint.violation_error_message == constraint.default_violation_error_message:
        message = premises.unique_error_message(Premises, constraint.fields)
        raise ValidationError(message, code=message.code)
    raise ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


def premises_build(
    *,
    township: Township,
    name: str,
    category: str,
    risk_level: str,
    responsible_person: str,
    responsible_phone: str,
    grid: Grid | None = None,
    police_station: PoliceStation | None = None,
    address: str = "",
    is_key_unit: bool = False,
    manager: str = "",
    manager_phone: str = "",
    responsible_user=None,
    is_demo: bool = False,
    latitude=None,
    longitude=None,
    by=None,
    lookups: PremisesLookups | None = None,
) -> Premises:
    """The unsaved premises premises_create would register, every rule applied (the access policy
    for `by`, the links, the fields and constraints); writes nothing. With `lookups` it makes no
    query and claims the premises' keys in them (premises_save_many then saves it)."""
    values = {
        "grid": grid,
        "police_station": police_station,
        "name": name,
        "address": address,
        "category": category,
        "risk_level": risk_level,
        "is_key_unit": is_key_unit,
        "responsible_person": responsible_person,
        "responsible_phone": responsible_phone,
        "manager": manager,
        "manager_phone": manager_phone,
        "responsible_user": responsible_user,
        "is_demo": is_demo,
        "latitude": latitude,
        "longitude": longitude,
    }
    access.check_premises_create(by=by, township=township, data=values)
    premises_check_links(township=township, grid=grid, police_station=police_station, lookups=lookups)
    premises = Premises(township=township, **values)
    premises_check_fields(premises=premises, lookups=lookups)
    if lookups is not None:
        lookups.claim(premises)
    return premises


@transaction.atomic
def premises_create(*, by=None, **details: Any) -> Premises:
    """Register a premises: `details` are premises_build's (the township, the name, ...), which holds
    the rules — the grid must lie in the township, the police station must cover it.

    A new premises has no inspection yet, so no due date: selectors treat it as due now.
    """
    premises = premises_build(**details, by=by)
    premises._history_user = by
    premises.save()
    return premises


def _premises_for_update() -> QuerySet[Premises]:
    # The rows locked, with what the rules read; the rows they join are only read, not locked.
    return Premises.objects.select_related("township", "grid", "police_station").select_for_update(
        of=("self",)
    )


def premises_lock(*, ids: Iterable[int]) -> dict[int, Premises]:
    """Lock the premises `ids` until the transaction ends (one query) and return them by id, with
    the township, grid and police station the rules read. Call inside the writing transaction."""
    return {p.pk: p for p in _premises_for_update().filter(pk__in=list(ids))}


def premises_revise(
    *, premises: Premises, data: dict[str, Any], by=None, lookups: PremisesLookups | None = None
) -> Premises:
    """Set `data` (keys of PREMISES_UPDATABLE_FIELDS) on `premises` and apply every rule of a change:
    the access policy for `by`, the links, a new risk level rescheduling the next inspection, the
    fields and constraints. Writes nothing; raises (having set nothing) on a refusal of the policy
    or an unknown field. Precondition: `premises` is the row as locked (premises_lock). With
    `lookups` it makes no query and claims the premises' keys in them.
    """
    access.check_premises_update(by=by, premises=premises, data=data)
    refuse_unknown_fields(data, PREMISES_UPDATABLE_FIELDS)
    previous = None if lookups is None else lookups.keys_of(premises)
    for name, value in data.items():
        setattr(premises, name, value)
    premises_check_links(
        township=premises.township,
        grid=premises.grid,
        police_station=premises.police_station,
        lookups=lookups,
    )
    # An unknown level is left to the field check, which names the field.
    if "risk_level" in data and premises.risk_level in Premises.RiskLevel.values:
        premises.next_inspection_due = _due_after(premises, lookups=lookups)
    premises_check_fields(premises=premises, lookups=lookups)
    if lookups is not None:
        lookups.claim(premises, previous)
    return premises


def _due_after(premises: Premises, *, lookups: PremisesLookups | None = None) -> dt.date | None:
    """The premises' next inspection from its last one, by its county's schedule (read only when
    it was ever inspected; from `lookups` when given)."""
    if premises.last_inspected_on is None:
        return None
    if lookups is not None:
        schedule = lookups.schedule(premises.township.county_id)
    else:
        schedule = inspection_schedule(township_id=premises.township_id)
    return inspection_due_date(
        risk_level=premises.risk_level, inspected_on=premises.last_inspected_on, schedule=schedule
    )


@transaction.atomic
def premises_update(*, premises: Premises, data: dict[str, Any], by=None) -> Premises:
    """Change a premises' details (keys of PREMISES_UPDATABLE_FIELDS). Locks the row; the rules are
    premises_revise's. A new risk level reschedules the next inspection from the last one. The
    passed instance is brought up to date and returned.
    """
    # The policy and the field list first, so that a refused call waits for no lock; premises_revise
    # checks them again on the locked row (no query).
    access.check_premises_update(by=by, premises=premises, data=data)
    refuse_unknown_fields(data, PREMISES_UPDATABLE_FIELDS)
    locked = _premises_for_update().get(pk=premises.pk)
    premises_revise(premises=locked, data=data, by=by)
    locked._history_user = by
    locked.save()
    copy_saved(target=premises, source=locked)
    return premises


# Rows per INSERT / UPDATE statement of premises_save_many (well under PostgreSQL's 65,535 parameters).
BULK_BATCH = 1000


@transaction.atomic
def premises_save_many(
    *, created: Sequence[Premises], updated: Sequence[Premises], fields: Iterable[str], by=None
) -> None:
    """Save in bulk what the rules accepted: `created` made by premises_build, `updated` locked by
    premises_lock and changed by premises_revise (`fields`: the keys of their `data`), all with the
    same `by` and PremisesLookups of this transaction; nothing is checked again. Each premises gets
    its history row recording `by` (and the client's address when a request is served), as a single
    save records them. A constraint the database still refuses (a write since the lookups were
    loaded) raises IntegrityError having written nothing.
    """
    history = _history_attrs()
    if created:
        bulk_create_with_history(
            list(created), Premises, batch_size=BULK_BATCH, default_user=by, custom_historical_attrs=history
        )
    if updated:
        names = set(fields)
        if "risk_level" in names:
            names.add("next_inspection_due")  # premises_revise rescheduled it
        now = timezone.now()
        for premises in updated:
            premises.updated_at = now  # bulk_update does not apply auto_now
        bulk_update_with_history(
            list(updated),
            Premises,
            sorted({*names, "updated_at"}),
            batch_size=BULK_BATCH,
            default_user=by,
            custom_historical_attrs=history,
        )


def _history_attrs() -> dict[str, Any] | None:
    """The history columns core.signals fills for a single save (bulk saves send no signal)."""
    request = getattr(HistoricalRecords.context, "request", None)
    return None if request is None else {"ip_address": client_ip(request)}


@transaction.atomic
def premises_record_inspection(*, premises: Premises, inspected_on: dt.date, by=None) -> Premises:
    """Move the inspection schedule after an inspection on `inspected_on`. Locks the premises row.

    A step of recording an inspection (inspections.services): who may record it is the inspections
    policy's, applied to `by` by that service, so nothing is checked again here.
    last_inspected_on never moves backwards: an inspection older than the last one recorded leaves
    the schedule as it is. next_inspection_due: inspection_due_date by the county's schedule.
    Refuses a date in the future. The passed instance is brought up to date and returned.
    """
    if inspected_on > local_today():
        raise ApplicationError(
            _("检查日期 %(date)s 晚于今天，不能登记未来的检查。") % {"date": inspected_on.isoformat()}
        )
    locked = Premises.objects.select_for_update().get(pk=premises.pk)
    last = locked.last_inspected_on
    if last is None or inspected_on > last:
        last = inspected_on
    due = inspection_due_date(
        risk_level=locked.risk_level,
        inspected_on=last,
        schedule=inspection_schedule(township_id=locked.township_id),
    )
    if (last, due) != (locked.last_inspected_on, locked.next_inspection_due):
        locked.last_inspected_on, locked.next_inspection_due = last, due
        locked._history_user = by
        locked.save(update_fields=["last_inspected_on", "next_inspection_due", "updated_at"])
    copy_saved(target=premises, source=locked)
    return premises


@transaction.atomic
def premises_set_risk_level(*, premises: Premises, risk_level: str, by=None) -> Premises:
    """Change the risk level and reschedule the next inspection from last_inspected_on. Locks the row."""
    access.check_premises_update(by=by, premises=premises, data={"risk_level": risk_level})
    if risk_level not in Premises.RiskLevel.values:
        raise ApplicationError(_("未知的风险等级：%(level)s") % {"level": risk_level})
    locked = Premises.objects.select_for_update().get(pk=premises.pk)
    locked.risk_level = risk_level
    locked.next_inspection_due = _due_after(locked)
    record_step(locked, target=premises, by=by, fields=["risk_level", "next_inspection_due"])
    return premises


# --- grids ----------------------------------------------------------------------------------


@transaction.atomic
def grid_create(*, township: Township, name: str, area_description: str = "", by=None) -> Grid:
    """Create a grid in `township`; its name must be new in that township."""
    access.check_grid_change(by=by, township_ids=[township.pk])
    return record_save(Grid(township=township, name=name, area_description=area_description), by=by)


@transaction.atomic
def grid_update(*, grid: Grid, data: dict[str, Any], by=None) -> Grid:
    """Rename a grid or change its area (keys of GRID_DETAILS; it stays in its township, whose
    premises are filed under it). Locks the row; the passed instance is brought up to date."""
    access.check_grid_change(by=by, township_ids=[grid.township_id])
    return model_update(grid, data=data, allowed=frozenset(GRID_DETAILS), by=by)


@transaction.atomic
def grid_delete(*, grid: Grid, by=None) -> None:
    """Delete a grid and its members. Refused while premises are still filed under it (they would
    silently lose their grid): move them to another grid first. Locks the row."""
    access.check_grid_change(by=by, township_ids=[grid.township_id])
    locked = Grid.objects.select_for_update().get(pk=grid.pk)
    if locked.premises.exists():
        raise ApplicationError(
            _("网格“%(grid)s”内仍有社会单位，请先把这些单位调整到其他网格。") % {"grid": locked.name}
        )
    for member in locked.members.all():
        record_delete(member, by=by)
    record_delete(locked, by=by)


@transaction.atomic
def grid_member_add(
    *,
    grid: Grid,
    name: str,
    phone: str,
    role: str = GridMember.Role.MEMBER,
    active: bool = True,
    by=None,
) -> GridMember:
    """Add a grid chief or member; the phone must be a mainland mobile or a landline with area code."""
    access.check_grid_change(by=by, township_ids=[grid.township_id])
    return record_save(GridMember(grid=grid, name=name, phone=phone, role=role, active=active), by=by)


@transaction.atomic
def grid_member_update(*, member: GridMember, data: dict[str, Any], by=None) -> GridMember:
    """Change a member's details, their being on duty or their grid (keys of
    GRID_MEMBER_UPDATABLE_FIELDS). Locks the row; the passed instance is brought up to date."""
    # The member's grid as stored (the caller's instance may carry a new one already), locked.
    current = GridMember.objects.select_for_update(of=("self",)).values_list("grid__township_id", flat=True)
    townships = {current.get(pk=member.pk)}
    if data.get("grid") is not None:
        townships.add(data["grid"].township_id)
    access.check_grid_change(by=by, township_ids=sorted(townships))
    return model_update(member, data=data, allowed=GRID_MEMBER_UPDATABLE_FIELDS, by=by)


@transaction.atomic
def grid_member_remove(*, member: GridMember, by=None) -> None:
    """Remove a member entered by mistake (one who leaves is kept, `active` false)."""
    township_id = Grid.objects.values_list("township_id", flat=True).get(pk=member.grid_id)
    access.check_grid_change(by=by, township_ids=[township_id])
    record_delete(member, by=by)


# --- responsibility agreements --------------------------------------------------------------


def responsibility_agreement_check(
    *,
    township: Township,
    premises: Premises | None,
    year: int,
    signed_on: dt.date,
    exclude_pk: int | None = None,
) -> None:
    """Refuse a premises outside the township, a signing date outside the year, or a second agreement."""
    if premises is not None and premises.township_id != township.pk:
        raise ApplicationError(
            _("“%(premises)s”不在%(township)s，不能作为该乡镇的责任书签订单位。")
            % {"premises": premises.name, "township": township.name}
        )
    if signed_on.year != year:
        raise ApplicationError(
            _("签订日期 %(date)s 不在 %(year)s 年度内。") % {"date": signed_on.isoformat(), "year": year}
        )
    existing = ResponsibilityAgreement.objects.filter(year=year)
    if premises is None:
        existing = existing.filter(township=township, premises__isnull=True)
    else:
        existing = existing.filter(premises=premises)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    if existing.exists():
        who = premises.name if premises is not None else township.name
        raise ApplicationError(
            _("%(who)s %(year)s 年度的消防安全责任书已经签订，不能重复签订。") % {"who": who, "year": year}
        )


@transaction.atomic
def responsibility_agreement_sign(
    *,
    township: Township,
    premises: Premises | None = None,
    year: int,
    signatory: str,
    counterparty: str,
    scope: str,
    signed_on: dt.date,
    document=None,
    by=None,
) -> ResponsibilityAgreement:
    """Record a signed 消防安全目标责任书: one per township (premises empty) or per premises and year.

    signed_on must fall in `year`; the premises, if given, must be in `township`.
    """
    access.check_agreement_change(by=by)
    # Lock the township so two concurrent signings of the same year queue up behind each other.
    Township.objects.select_for_update().filter(pk=township.pk).first()
    responsibility_agreement_check(township=township, premises=premises, year=year, signed_on=signed_on)
    agreement = ResponsibilityAgreement(
        township=township,
        premises=premises,
        year=year,
        signatory=signatory,
        counterparty=counterparty,
        scope=scope,
        signed_on=signed_on,
    )
    if document:
        agreement.document = document
    return record_save(agreement, by=by)


@transaction.atomic
def responsibility_agreement_update(
    *, agreement: ResponsibilityAgreement, data: dict[str, Any], by=None
) -> ResponsibilityAgreement:
    """Correct an agreement's signatory, counterparty, scope, signing date or scan.

    Who signed for which year is fixed once recorded; signed_on must stay within the year.
    """
    access.check_agreement_change(by=by)

    def rules(locked: ResponsibilityAgreement) -> None:
        responsibility_agreement_check(
            township=locked.township,
            premises=locked.premises,
            year=locked.year,
            signed_on=locked.signed_on,
            exclude_pk=locked.pk,
        )

    return model_update(agreement, data=data, allowed=AGREEMENT_UPDATABLE_FIELDS, by=by, check=rules)


@transaction.atomic
def responsibility_agreement_delete(*, agreement: ResponsibilityAgreement, by=None) -> None:
    """Delete an agreement recorded by mistake (its township, premises and year cannot be corrected)."""
    access.check_agreement_change(by=by)
    record_delete(agreement, by=by)


# -- 一店一码: premises QR codes ---------------------------------------------------------------------


def _lock_premises(premises: Premises) -> Premises:
    return Premises.objects.select_for_update(of=("self",)).get(pk=premises.pk)


@transaction.atomic
def premises_code_issue(*, premises: Premises, by) -> PremisesCode:
    """The premises' code in force, issued now if it has none (issuing again changes nothing). Locks
    the premises. Its township's lead or the guidance center."""
    access.check_premises_code(by=by, premises=premises)
    return scan_code_issue(PremisesCode, owner_field="premises", owner=_lock_premises(premises), by=by)


@transaction.atomic
def premises_codes_issue(*, premises: Iterable[Premises], by) -> list[PremisesCode]:
    """A code in force for each of `premises` (for a label sheet): all of them or, if `by` may not
    issue one of them, none."""
    return [premises_code_issue(premises=one, by=by) for one in premises]


@transaction.atomic
def premises_code_revoke(*, code: PremisesCode, by) -> PremisesCode:
    """Revoke a code (a label lost, torn off or copied): its token is refused from now on. Refused
    (409) if already revoked. Its premises' township lead or the guidance center."""
    access.check_premises_code(by=by, premises=code.premises)
    locked = PremisesCode.objects.select_for_update().get(pk=code.pk)
    scan_code_revoke(locked, by=by)
    copy_saved(target=code, source=locked)
    return code


@transaction.atomic
def premises_code_reissue(*, premises: Premises, by) -> PremisesCode:
    """补发: revoke the code in force (if any) and issue a new one, with a new token."""
    access.check_premises_code(by=by, premises=premises)
    locked = _lock_premises(premises)
    current = scan_code_in_force(locked.codes.select_for_update())
    if current is not None:
        scan_code_revoke(current, by=by, reason=_("补发新码"))
    return scan_code_issue(PremisesCode, owner_field="premises", owner=locked, by=by)
