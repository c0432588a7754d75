"""Property-based test of the whole /api/v1/ against its own OpenAPI schema (schemathesis, in process).

Every operation the schema documents is called, as each role that uses the API (guidance center,
township lead, police station, a premises' responsible person) through a token, with generated
requests in every phase — the schema's examples, boundary cases (coverage), fuzzing — and in linked
sequences (stateful: an id one answer gives, used by the next call). No answer may be a server error,
and every answer's status, content type and body must be the documented ones. The data set holds one
row of every kind, so lists and details have something to render. Bounded (a few examples per
operation, a few sequences per role, derandomised, no example database) so that the suite stays
repeatable and within a few minutes.
"""

import datetime as dt
import json

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.db import transaction
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from core.models import Role
from core.services import api_token_issue
from inspections import services as inspections_services
from meetings import services as meetings_services
from tests import factories as f
from tests.inspections.factories import hazard_data
from townships.models import PoliceStation, Premises, Township

EXAMPLES_PER_OPERATION = 5
# Linked sequences per role, and calls per sequence (the stateful phase's bound).
STATEFUL_SEQUENCES, STATEFUL_STEPS = 25, 8
# The roles that use the API (a county official reads what the center reads).
API_ROLES = [Role.GUIDANCE_CENTER, Role.TOWNSHIP_LEAD, Role.POLICE_STATION, Role.PREMISES_RESPONSIBLE]
# Hypothesis keeps caches (constants, unicode data) in ./.hypothesis by default: keep them under var/.
set_hypothesis_home_dir(settings.VAR_DIR / "hypothesis")


def _seed():
    """One of everything, written mostly through the services, so that every list has rows to render."""
    county = f.CountyFactory()
    beiguan = f.TownshipFactory(county=county, name="北关镇")
    chumiao = f.TownshipFactory(county=county, name="褚庙乡")
    station = f.PoliceStationFactory(county=county, name="城关派出所")
    station.townships.add(beiguan)
    premises = f.PremisesFactory(township=beiguan, name="北关镇供销超市", police_station=station)
    f.GridMemberFactory(grid=premises.grid)
    f.PremisesFactory(township=chumiao, name="褚庙乡敬老院")
    f.ResponsibilityAgreementFactory(township=beiguan)
    f.EquipmentRequirementFactory(standard=f.BrigadeStandardFactory())
    brigade = f.BrigadeFactory(township=beiguan)
    f.BrigadeMemberFactory(brigade=brigade)
    f.EquipmentItemFactory(brigade=brigade, equipment_type=f.EquipmentTypeFactory(name="手抬机动消防泵"))
    f.FundingAllocationFactory(township=beiguan)
    incident = f.FireIncidentFactory(township=beiguan, premises=premises)

    campaign = f.CampaignFactory(county=county)
    item = f.ChecklistItemFactory(code="A01", text="安全出口畅通")
    plan = inspections_services.inspection_plan_create(
        campaign=campaign,
        township=beiguan,
        title="北关镇冬春检查",
        due_on=dt.date(2021, 12, 31),
        premises=[premises],
    )
    inspection = inspections_services.inspection_record(
        premises=premises,
        kind="township",
        inspected_on=dt.date(2021, 11, 20),
        inspectors="赵专干",
        plan=plan,
        results=[{"item": item, "result": "fail"}],
        hazards=[hazard_data(checklist_item=item), hazard_data(severity="major")],
    )
    awaiting, verified = inspection.hazards.order_by("id")
    for hazard in (awaiting, verified):
        inspections_services.hazard_rectify(
            hazard=hazard, rectified_on=dt.date(2021, 11, 30), rectified_by="王老板", measures="清理出口杂物"
        )
    inspections_services.hazard_reinspect(
        hazard=verified, inspected_on=dt.date(2021, 12, 1), inspectors="赵专干", passed=True
    )
    inspections_services.accountability_record(
        township=beiguan,
        incident=incident,
        person="王老板",
        unit="北关镇供销超市",
        finding="火灾前隐患逾期未整改",
        sanction="约谈",
        decided_by="县消防工作办公室",
        decided_on=dt.date(2022, 1, 20),
    )

    meeting = f.MeetingFactory(county=county)
    directive = f.DirectiveFactory(meeting=meeting, number=1)
    [assignment] = meetings_services.directive_assign(
        directive=directive, townships=[beiguan], deadline=dt.date(2021, 12, 31), by=None
    )
    meetings_services.assignment_report_progress(
        assignment=assignment, reported_on=dt.date(2021, 12, 1), text="推进中", percent=50, by=None
    )


def _generated_schema() -> dict:
    """The OpenAPI document /api/v1/schema/ serves, built by the same generator (no request, no
    database: the schema is collected with the tests, before any database exists)."""
    with translation.override("en"):  # as served (config.api_urls.SchemaView)
        document = SchemaGenerator().get_schema(request=None, public=True)
        return json.loads(OpenApiJsonRenderer().render(document))


CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,  # the same requests on every run: a failure is reproducible
            "database": "none",  # no example database: the fixed seed replays any failure
            "no-shrink": True,
        },
        # Every phase: examples, boundary cases (coverage), fuzzing, and linked sequences (stateful).
        "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": True}},
        # Fixtures are function-scoped on purpose (a fresh transaction per operation); requests have no
        # deadline (schemathesis sets Hypothesis' `deadline=None`), only the example count bounds the run.
        "suppress-health-check": ["all"],
    }
)
# `schemathesis.pytest.from_fixture` (load the schema inside a test) does not run under pytest 9
# (it sets `Function._nodeid`, gone in pytest 9), so the schema is loaded at collection.
schema = schemathesis.openapi.from_dict(_generated_schema(), config=CONFIG)
schema.app = application  # calls go in process to the WSGI application, like `from_wsgi`


def _token(user) -> dict:
    return {"Authorization": f"Token {api_token_issue(user=user, by=user)[1]}"}


@pytest.fixture
def center_token(db, in_process_wsgi) -> dict:
    """The data set, and the `Authorization` header of a guidance-center user (who may call everything)."""
    _seed()
    return _token(f.make_user(Role.GUIDANCE_CENTER, username="schema-center"))


def _reader(role: str):
    """A user of `role` scoped to the data set's 北关镇 (its township, police station, premises)."""
    beiguan = Township.objects.get(name="北关镇")
    links = {
        Role.GUIDANCE_CENTER: {},
        Role.COUNTY_OFFICIAL: {"county": beiguan.county},
        Role.TOWNSHIP_LEAD: {"township": beiguan},
        Role.POLICE_STATION: {"police_station": PoliceStation.objects.get(name="城关派出所")},
        Role.PREMISES_RESPONSIBLE: {"premises": Premises.objects.get(name="北关镇供销超市")},
    }[role]
    return f.make_user(role, username=f"schema-{role}", **links)


@pytest.fixture(params=API_ROLES)
def role_token(request, db, in_process_wsgi) -> dict:
    """The data set, and the `Authorization` header of a user of each role that writes through the API."""
    _seed()
    return _token(_reader(request.param))


def test_the_served_schema_is_the_one_tested(center_token, in_process_wsgi):
    served = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", in_process_wsgi, headers=center_token, config=CONFIG
    )
    # Against a fresh copy: the stateful phase adds the links it infers to the tested schema's.
    assert served.raw_schema["paths"] == _generated_schema()["paths"]


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
def test_api_answers_generated_requests_without_server_error_and_as_documented(case, role_token):
    case.call_and_validate(headers=role_token, checks=CHECKS)


# The stateful phase: sequences of calls where one answer feeds the next (the links schemathesis infers
# from the schema: an id created by a POST used by the GET, PATCH and actions on that record).
Workflow = schema.as_state_machine()


@pytest.mark.parametrize("role", API_ROLES)
def test_linked_calls_stay_documented_and_never_fail_on_the_server(role, db, in_process_wsgi):
    _seed()
    headers = _token(_reader(role))

    class AsReader(Workflow):
        # Each sequence starts from the seeded data: what an earlier sequence wrote is rolled back, so
        # the links a sequence can follow (and so Hypothesis' choices) do not depend on the ones before.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    AsReader.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SEQUENCES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
