"""The OpenAPI schema as clients need it (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]):

- `errors_in_schema`: every operation lists the 4xx answers it can give, each status with its own
  Error component — all of them the one envelope of core.api_errors — so a generated client has a
  type for every answer;
- `schema_for_generators`: summaries, `format` and xlsx only where they apply, JSON or multipart
  bodies, 304 on conditional reads, no Chinese titles in parameters."""

from django.utils.translation import gettext_lazy as _

WRITES = {"post", "put", "patch", "delete"}
WITH_BODY = {"post", "put", "patch"}

# status: (when the operation can give it, what it means)
REFUSALS = {
    "400": (lambda method, op: True, _("输入有误（errors 逐项列出），或县里的流程规则不允许。")),
    "401": (lambda method, op: True, _("未登录，或令牌无效、已过期、已撤销（见 WWW-Authenticate）。")),
    "403": (lambda method, op: True, _("您的角色或范围不允许。")),
    # A record, a page past the last, or a format not offered.
    "404": (lambda method, op: True, _("未找到该记录（或页码超出范围），或您无权查看。")),
    "406": (lambda method, op: method == "get", _("不能按所要求的格式答复（如写操作要求 Excel）。")),
    "409": (lambda method, op: method in WRITES, _("记录当前的状态不允许这一步，或与已有记录冲突。")),
    "412": (lambda method, op: method in {"put", "patch"}, _("If-Match 已过时：记录已被他人修改。")),
    "413": (lambda method, op: method in WITH_BODY, _("请求内容过大。")),
    "415": (lambda method, op: method in WITH_BODY, _("不支持的内容类型。")),
    "422": (lambda method, op: method == "post", _("这个幂等键（Idempotency-Key）已用于另一个请求。")),
    "429": (lambda method, op: True, _("请求过于频繁，或账号已暂时锁定（见 Retry-After）。")),
}


def error_component(description) -> dict:
    return {
        "type": "object",
        "description": str(description),
        "properties": {
            "type": {"type": "string", "enum": ["validation_error", "client_error"]},
            "code": {"type": "string", "description": "Stable: invalid, refused, conflict, not_found, …"},
            "detail": {"type": "string", "description": "One sentence in the request's language."},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "attr": {
                            "type": "string",
                            "nullable": True,
                            "description": "Field path, e.g. hazards.1.deadline",
                        },
                        "code": {"type": "string"},
                        "detail": {"type": "string"},
                    },
                    "required": ["attr", "code", "detail"],
                },
            },
        },
        "required": ["type", "code", "detail", "errors"],
    }


def errors_in_schema(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for status, (_applies, description) in REFUSALS.items():
        components[f"Error{status}"] = error_component(description)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, (applies, description) in REFUSALS.items():
                if status in operation["responses"] or not applies(method, operation):
                    continue
                operation["responses"][status] = {
                    "description": str(description),
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/Error{status}"}}
                    },
                }
    return result


# The summary of a plain route: (method, whether it names one record) -> verb.
VERBS = {
    ("get", False): "List",
    ("post", False): "Create",
    ("get", True): "Get",
    ("put", True): "Replace",
    ("patch", True): "Update",
    ("delete", True): "Delete",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _summary(path: str, method: str) -> str:
    """An English summary from the route: GET /api/v1/hazards/ → "List hazards", POST
    /api/v1/hazards/{id}/reinspect/ → "Hazards: reinspect"."""
    parts = path.strip("/").split("/")[2:]  # after api/v1
    one = bool(parts) and parts[-1].startswith("{")
    names = [part for part in parts if not part.startswith("{")]
    resource = names[0].replace("-", " ") if names else "api"
    if len(names) <= 1 and (method, one) in VERBS:
        return f"{VERBS[method, one]} {resource}"
    action = " ".join(names[1:]).replace("-", " ") or method
    return f"{resource.capitalize()}: {action}"


def _without_titles(schema):
    """Parameter schemas without `title` (django-filter's labels): a generator names types after
    titles, and these are Chinese."""
    if isinstance(schema, dict):
        return {key: _without_titles(value) for key, value in schema.items() if key != "title"}
    if isinstance(schema, list):
        return [_without_titles(item) for item in schema]
    return schema


def _uploads_a_file(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return any(
        prop.get("format") == "binary" or prop.get("items", {}).get("format") == "binary"
        for prop in schema.get("properties", {}).values()
    )


def schema_for_generators(result, generator, request, public):
    """What a client generator needs: a summary on every operation; `format` (json / xlsx) only on
    reads, xlsx answered as a file (binary), not as the JSON schema; a request body in JSON, or in
    multipart where it uploads a file (the API also reads forms, undocumented); parameters without
    Chinese titles."""
    components = result.get("components", {}).get("schemas", {})
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation.setdefault("summary", _summary(path, method))
            parameters = [_without_titles(p) for p in operation.get("parameters", [])]
            if method != "get":
                parameters = [p for p in parameters if not (p["in"] == "query" and p["name"] == "format")]
            operation["parameters"] = parameters
            if not parameters:
                del operation["parameters"]
            if any(p["in"] == "header" and p["name"] == "If-None-Match" for p in parameters):
                operation["responses"].setdefault(
                    "304", {"description": "Not modified: If-None-Match names the current ETag (no body)."}
                )
            for answer in operation["responses"].values():
                content = answer.get("content", {})
                if XLSX in content:
                    if method == "get":
                        content[XLSX] = {"schema": {"type": "string", "format": "binary"}}
                    else:
                        del content[XLSX]
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                keep = (
                    "multipart/form-data"
                    if _uploads_a_file(body["application/json"]["schema"], components)
                    else "application/json"
                )
                if keep in body:
                    operation["requestBody"]["content"] = {keep: body[keep]}
    return result
