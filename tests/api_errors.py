"""Reading the API's refusals in tests (core.api_errors' envelope)."""


def field_errors(response) -> dict[str, list[str]]:
    """A validation refusal's messages by field path ("hazards.1.deadline"; the request's own under
    ""), after checking the envelope's shape."""
    body = response.json()
    assert body["type"] == "validation_error", body
    assert set(body) == {"type", "code", "detail", "errors"}, body
    found: dict[str, list[str]] = {}
    for error in body["errors"]:
        found.setdefault(error["attr"] or "", []).append(error["detail"])
    return found


def refused_fields(response) -> set[str]:
    """The fields a validation refusal names, each with the fields it is part of ("location" for
    "location.latitude")."""
    names = set()
    for path in field_errors(response):
        parts = path.split(".")
        names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names
