"""A bounded load run on 127.0.0.1: several township leads write inspections and hazards at the
same time through the real HTTP server. Every accepted write must be there, every refusal must
have written nothing, and the server must never answer 5xx."""

import datetime as dt
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from core.models import Role
from core.services import api_token_issue
from inspections.models import Hazard, Inspection, Rectification
from tests import factories as f

LEADS, PREMISES_EACH, INSPECTIONS_EACH = 4, 3, 12
DAY = dt.date(2021, 11, 20)


def _request(base, token, path, body):
    req = urllib.request.Request(  # noqa: S310 - http to our own live server
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310 - our own live server
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_from_several_township_leads_all_land_and_nothing_errors(live_server):
    county = f.CountyFactory()
    item = f.ChecklistItemFactory(code="JC01")
    leads, token_of = [], {}
    for n in range(LEADS):
        township = f.TownshipFactory(county=county, name=f"并发乡{n}")
        user = f.make_user(Role.TOWNSHIP_LEAD, township=township)
        premises = [f.PremisesFactory(township=township).pk for _ in range(PREMISES_EACH)]
        leads.append((api_token_issue(user=user, by=user)[1], premises))
        token_of[township.pk] = leads[-1][0]
    connections.close_all()  # the server threads open their own

    jobs = []
    for token, premises in leads:
        for i in range(INSPECTIONS_EACH):
            bad = i % 6 == 5  # every sixth is refused: deadline before the inspection
            deadline = DAY - dt.timedelta(days=1) if bad else DAY + dt.timedelta(days=10)
            body = {
                "premises": premises[i % PREMISES_EACH],
                "inspected_on": DAY.isoformat(),
                "inspectors": f"专干{i}",
                "results": [{"item": item.pk, "result": "fail"}],
                "hazards": [{"severity": "general", "description": f"隐患{i}", "deadline": deadline.isoformat(),
                             "responsible_person": "王"}],
            }  # fmt: skip
            jobs.append((token, body, bad))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda job: (*_request(live_server.url, job[0], "/api/v1/inspections/", job[1]), job[2]), jobs
            )
        )

    assert all(status < 500 for status, _, _ in results), [r for r in results if r[0] >= 500]
    accepted = [body for status, body, bad in results if status == 201]
    refused = [(status, bad) for status, _, bad in results if status != 201]
    assert len(accepted) == sum(1 for _, _, bad in jobs if not bad)
    assert all(status == 400 and bad for status, bad in refused)
    assert Inspection.objects.count() == len(accepted)
    assert Hazard.objects.count() == len(accepted)
    assert set(Inspection.objects.values_list("pk", flat=True)) == {body["id"] for body in accepted}

    # Two rectifications of the same hazard at the same moment: the state machine takes one.
    hazards = list(Hazard.objects.values_list("pk", "township_id"))
    connections.close_all()
    double = [(token_of[t], pk) for pk, t in hazards[:10] for _ in range(2)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(
            pool.map(
                lambda job: _request(
                    live_server.url, job[0], f"/api/v1/hazards/{job[1]}/rectify/",
                    {"rectified_on": (DAY + dt.timedelta(days=2)).isoformat(), "rectified_by": "王", "measures": "清理"},
                ),
                double,
            )
        )  # fmt: skip
    statuses = [status for status, _ in outcomes]
    assert all(status < 500 for status in statuses), outcomes
    # The loser meets a hazard already awaiting verification: a state conflict, 409.
    assert statuses.count(200) == 10, outcomes
    assert statuses.count(409) == 10, outcomes
    assert all(body["code"] == "conflict" for status, body in outcomes if status == 409), outcomes
    for pk, _ in hazards[:10]:
        assert Rectification.objects.filter(hazard_id=pk).count() == 1
        assert Hazard.objects.get(pk=pk).status == "awaiting_verification"
    connections.close_all()
