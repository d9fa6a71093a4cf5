"""schemathesis' response checks for regression tests: is this response what the schema says?

The fuzz run (`make fuzz`) checks every response against the served OpenAPI schema: the status is
documented, the Content-Type is one documented for it, required headers are present and the body
matches the documented schema. `assert_conforms` does the same for one APIClient response, so each
failure the fuzzer ever found stays fixed as a plain pytest test.
"""

import json
from functools import cache

import jsonschema_rs
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@cache
def openapi() -> dict:
    """The schema `/api/schema/` serves, as plain JSON."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def _json_schema(node):
    # OpenAPI 3.0's `nullable` is not JSON Schema: spell it as "or null", as schemathesis does.
    if isinstance(node, dict):
        node = {key: _json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            return {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    return node


def schema_errors(schema: dict, value) -> list[str]:
    """Why `value` does not match `schema` (a fragment of the OpenAPI document); [] if it does."""
    root = {**_json_schema(schema), "components": _json_schema(openapi()["components"])}
    validator = jsonschema_rs.Draft4Validator(root, validate_formats=True)
    return [
        f"{'/'.join(map(str, error.instance_path))}: {error.message}"
        for error in validator.iter_errors(value)
    ]


def documented_response(method: str, path: str, status_code: int) -> dict:
    operation = openapi()["paths"][path][method.lower()]
    responses = operation["responses"]
    assert str(status_code) in responses, (
        f"{method} {path} answered {status_code}, documented: {', '.join(sorted(responses))}"
    )
    return responses[str(status_code)]


def assert_conforms(response, method: str, path: str) -> None:
    """The response's status, content type, headers and body are all as documented."""
    documented = documented_response(method, path, response.status_code)
    for name, header in documented.get("headers", {}).items():
        if header.get("required"):
            assert name in response.headers, f"{response.status_code} lacks the {name} header"
    content = documented.get("content")
    if not content or not response.content:
        return
    media_type = response.headers["Content-Type"].split(";")[0].strip()
    assert media_type in content, f"{media_type} is not documented (only {', '.join(content)})"
    schema = content[media_type].get("schema")
    if schema and media_type == "application/json":
        errors = schema_errors(schema, response.json())
        assert not errors, f"{method} {path} {response.status_code}: " + "; ".join(errors)
