"""Builders for the inspections tests: records written through the services, as the app writes them."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inspections import services
from inspections.models import (
    Accountability,
    Campaign,
    ChecklistResult,
    HandoverAction,
    Hazard,
    HazardDeadlineTally,
    HazardHandover,
    HazardPhoto,
    HazardSupervision,
    HazardTally,
    Inspection,
    InspectionPlan,
    Rectification,
    Reinspection,
)
from townships.models import Premises

INSPECTED_ON = dt.date(2021, 11, 20)

MODELS = (
    Campaign,
    InspectionPlan,
    Inspection,
    ChecklistResult,
    Hazard,
    Rectification,
    Reinspection,
    Accountability,
    HazardHandover,
    HandoverAction,
    HazardSupervision,
    HazardPhoto,
)
# The figures the services keep (no history of their own): a refused write changes none.
FIGURES = (HazardTally, HazardDeadlineTally)


def hazard_data(**overrides) -> dict:
    data = {
        "severity": Hazard.Severity.GENERAL,
        "description": "安全出口堵塞",
        "deadline": INSPECTED_ON + dt.timedelta(days=7),
        "responsible_person": "王老板",
    }
    data.update(overrides)
    return data


def record_inspection(*, premises, by=None, **overrides) -> Inspection:
    kwargs = {
        "premises": premises,
        "kind": Inspection.Kind.TOWNSHIP,
        "inspected_on": INSPECTED_ON,
        "inspectors": "赵专干、钱网格员",
        "results": [],
        "hazards": [hazard_data()],
        "by": by,
    }
    kwargs.update(overrides)
    return services.inspection_record(**kwargs)


def open_hazard(*, premises, by=None, **hazard_overrides) -> Hazard:
    inspection = record_inspection(premises=premises, by=by, hazards=[hazard_data(**hazard_overrides)])
    return inspection.hazards.get()


def awaiting_hazard(*, premises, by=None, rectified_on=None) -> Hazard:
    hazard = open_hazard(premises=premises, by=by)
    services.hazard_rectify(
        hazard=hazard,
        rectified_on=rectified_on or INSPECTED_ON + dt.timedelta(days=3),
        rectified_by="王老板",
        measures="清理出口杂物",
        by=by,
    )
    hazard.refresh_from_db()
    return hazard


def verified_hazard(*, premises, by=None) -> Hazard:
    hazard = awaiting_hazard(premises=premises, by=by)
    services.hazard_reinspect(
        hazard=hazard,
        inspected_on=INSPECTED_ON + dt.timedelta(days=5),
        inspectors="赵专干",
        passed=True,
        by=by,
    )
    hazard.refresh_from_db()
    return hazard


def snapshot() -> dict:
    """Row counts of every table a service of the app may write, history tables and premises included."""
    counts = {}
    for model in (*MODELS, Premises):
        counts[model.__name__] = model.objects.count()
        counts[f"history:{model.__name__}"] = model.history.count()
    for model in FIGURES:
        counts[model.__name__] = sorted(
            model.objects.values_list(*[f.attname for f in model._meta.concrete_fields])
        )
    counts["plan_premises"] = InspectionPlan.premises.through.objects.count()
    counts["premises_dates"] = sorted(
        Premises.objects.values_list("pk", "last_inspected_on", "next_inspection_due")
    )
    counts["hazard_states"] = sorted(Hazard.objects.values_list("pk", "status", "deadline", "verified_on"))
    return counts


def evidence_file(name: str = "移交材料.png"):
    """A small PNG, as a phone's photo arrives (checked by content, like any upload)."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
