"""The OpenAPI schema, Swagger UI and ReDoc: public, self-contained, and describing the contract."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db

URL_RE = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def outside_urls(html: str) -> list[str]:
    """Every absolute or protocol-relative URL in the page that points beyond the test host."""
    return [url for url in URL_RE.findall(html) if not re.match(r"(https?:)?//testserver/", url)]


def walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def test_schema_is_public_openapi_3(api_client):
    document = schema(api_client)
    assert document["openapi"].startswith("3.")


def test_schema_is_served_as_yaml_by_default(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_schema_ignores_a_bad_token_instead_of_refusing(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get("/api/schema/").status_code == 200


def test_schema_declares_the_jwt_bearer_scheme(api_client):
    schemes = schema(api_client)["components"]["securitySchemes"]
    assert schemes["jwtAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def test_schema_lists_paths_under_their_full_api_prefix(api_client):
    paths = schema(api_client)["paths"]
    for path in ("/api/register/", "/api/token/", "/api/token/refresh/", "/api/health/"):
        assert path in paths


CONTRACT_OPERATIONS = {
    "/api/register/": {"post"},
    "/api/token/": {"post"},
    "/api/token/refresh/": {"post"},
    "/api/logout/": {"post"},
    "/api/profile/": {"get", "put", "patch"},
    "/api/profile/appointments/": {"get"},
    "/api/doctors/": {"get"},
    "/api/doctors/{id}/": {"get"},
    "/api/doctors/{id}/slots/": {"get"},
    "/api/appointments/book/": {"post"},
    "/api/appointments/{id}/": {"get", "patch"},
    "/api/appointments/{id}/cancel/": {"post"},
    "/api/admin-panel/doctors/": {"get", "post"},
    "/api/admin-panel/doctors/{id}/": {"get", "put", "patch", "delete"},
    "/api/admin-panel/patients/": {"get", "post"},
    "/api/admin-panel/patients/{id}/": {"get", "put", "patch", "delete"},
    "/api/admin-panel/appointments/": {"get", "post"},
    "/api/admin-panel/appointments/{id}/": {"get", "put", "patch", "delete"},
    "/api/admin-panel/reports/": {"get"},
    "/api/admin-panel/audit-log/": {"get"},
    "/api/health/": {"get"},
}


def missing_operations(document) -> dict:
    paths = document["paths"]
    missing = {}
    for path, methods in CONTRACT_OPERATIONS.items():
        absent = methods - set(paths.get(path, {}))
        if absent:
            missing[path] = sorted(absent)
    return missing


def test_schema_lists_every_contract_operation(api_client):
    assert missing_operations(schema(api_client)) == {}


def test_schema_is_the_same_whoever_asks(api_client, auth_client, patient):
    assert missing_operations(schema(auth_client(patient))) == {}
    assert schema(auth_client(patient))["paths"].keys() == schema(api_client)["paths"].keys()


def test_request_components_carry_no_read_only_fields(api_client):
    components = schema(api_client)["components"]["schemas"]
    offenders = [
        f"{name}.{field}"
        for name, component in components.items()
        if name.endswith("Request")
        for field, spec in component.get("properties", {}).items()
        if spec.get("readOnly")
    ]
    assert offenders == []


def test_response_components_carry_no_write_only_fields_or_passwords(api_client):
    components = schema(api_client)["components"]["schemas"]
    offenders = [
        f"{name}.{field}"
        for name, component in components.items()
        if not name.endswith("Request")
        for field, spec in component.get("properties", {}).items()
        if spec.get("writeOnly") or field == "password"
    ]
    assert offenders == []


def test_request_bodies_are_json(api_client):
    offenders = [
        f"{method.upper()} {path}: {sorted(operation['requestBody']['content'])}"
        for path, operations in schema(api_client)["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "requestBody" in operation
        if set(operation["requestBody"]["content"]) != {"application/json"}
    ]
    assert offenders == []


def test_schema_describes_no_time_with_format_time(api_client):
    offenders = [
        "/".join(map(str, path))
        for path, node in walk(schema(api_client))
        if node.get("format") == "time"
    ]
    assert offenders == []


def test_schema_describes_health_responses(api_client):
    responses = schema(api_client)["paths"]["/api/health/"]["get"]["responses"]
    assert set(responses) >= {"200", "503"}


def test_swagger_ui_is_public_html(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "swagger-ui-bundle.js" in response.content.decode()


def test_swagger_ui_references_nothing_outside_this_host(api_client):
    html = api_client.get("/api/docs/").content.decode()
    assert outside_urls(html) == []


def test_redoc_is_public_html(api_client):
    response = api_client.get("/api/redoc/")
    assert response.status_code == 200
    assert "redoc.standalone.js" in response.content.decode()


def test_redoc_references_nothing_outside_this_host(api_client):
    html = api_client.get("/api/redoc/").content.decode()
    assert outside_urls(html) == []


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_forbid_the_browser_any_outside_request(api_client, url):
    # ReDoc's bundle itself shows a logo from cdn.redoc.ly; only the policy stops that request.
    policy = api_client.get(url)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    for directive in ("img-src", "font-src", "connect-src", "script-src", "style-src"):
        sources = directives[directive].split()
        assert all(s in {"'self'", "data:", "'unsafe-inline'"} for s in sources), directive


def test_outside_url_finder_sees_a_cdn_link():
    # The two checks above would pass on any page if the finder saw nothing.
    page = '<link href="https://fonts.googleapis.com/css"><script src="//cdn.example/x.js">'
    assert outside_urls(page) == ["https://fonts.googleapis.com/css", "//cdn.example/x.js"]


def test_redoc_page_loads_the_patched_script(api_client):
    html = api_client.get("/api/redoc/").content.decode()
    assert 'src="/api/redoc/redoc.standalone.js"' in html


def test_redoc_script_fetches_no_logo_from_the_cdn(api_client):
    response = api_client.get("/api/redoc/redoc.standalone.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    script = response.content
    assert b"Redoc" in script
    assert b"cdn.redoc.ly" not in script


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_every_throttled_operation_documents_429_with_retry_after(api_client):
    offenders = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema(api_client))
        if path != "/api/health/"
        and not operation["responses"].get("429", {}).get("headers", {}).get("Retry-After")
    ]
    assert offenders == []


def test_protected_operations_document_401_and_403_with_a_detail_body(api_client):
    responses = schema(api_client)["paths"]["/api/profile/"]["get"]["responses"]
    detail = {"$ref": "#/components/schemas/ErrorDetail"}
    assert responses["401"]["content"]["application/json"]["schema"] == detail
    assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True
    assert responses["403"]["content"]["application/json"]["schema"] == detail


def test_operations_on_an_id_document_404(api_client):
    offenders = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema(api_client))
        if "{id}" in path and "404" not in operation["responses"]
    ]
    assert offenders == []


def test_error_statuses_a_view_names_get_the_error_body(api_client):
    responses = schema(api_client)["paths"]["/api/token/"]["post"]["responses"]
    assert "content" in responses["401"]
    assert "content" in responses["400"]


def test_json_body_operations_document_413_and_415(api_client):
    responses = schema(api_client)["paths"]["/api/register/"]["post"]["responses"]
    assert {"413", "415"} <= set(responses)


def test_a_read_only_email_may_be_blank(api_client):
    email = schema(api_client)["components"]["schemas"]["ProfileOutput"]["properties"]["email"]
    assert {"type": "string", "maxLength": 0} in email["oneOf"]


def test_the_report_operation_documents_json_only(api_client):
    operation = schema(api_client)["paths"]["/api/admin-panel/reports/"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["application/json"]
    assert "format" not in {parameter["name"] for parameter in operation["parameters"]}


def test_the_report_export_operation_documents_csv_only(api_client):
    operation = schema(api_client)["paths"]["/api/admin-panel/reports/export/"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/csv"]


SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def test_every_operation_has_a_summary(api_client):
    offenders = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema(api_client))
        if not operation.get("summary", "").strip()
    ]
    assert offenders == []


def test_every_operation_has_one_tag_the_schema_describes(api_client):
    document = schema(api_client)
    described = {tag["name"] for tag in document["tags"] if tag.get("description")}
    offenders = [
        f"{method.upper()} {path}: {operation.get('tags')}"
        for path, method, operation in operations(document)
        if len(operation.get("tags", [])) != 1 or operation["tags"][0] not in described
    ]
    assert offenders == []


def test_operation_ids_are_unique_snake_case(api_client):
    ids = [operation["operationId"] for _, _, operation in operations(schema(api_client))]
    assert [i for i in ids if not SNAKE_CASE.match(i)] == []
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("post", "/api/register/", "auth_register"),
        ("post", "/api/token/", "auth_token_create"),
        ("post", "/api/token/refresh/", "auth_token_refresh"),
        ("post", "/api/logout/", "auth_logout"),
        ("get", "/api/doctors/", "doctors_list"),
        ("get", "/api/doctors/{id}/slots/", "doctors_slots_list"),
        ("post", "/api/appointments/book/", "appointments_book"),
        ("post", "/api/appointments/{id}/cancel/", "appointments_cancel"),
        ("get", "/api/admin-panel/reports/export/", "admin_panel_reports_export"),
    ],
)
def test_operations_have_resource_first_ids(api_client, method, path, operation_id):
    assert schema(api_client)["paths"][path][method]["operationId"] == operation_id


def test_every_operation_states_its_security(api_client):
    offenders = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema(api_client))
        if not operation.get("security")
    ]
    assert offenders == []


def test_schema_names_this_host_as_its_server(api_client):
    assert schema(api_client)["servers"] == [{"url": "/", "description": "This host"}]


def test_every_nullable_node_has_a_type(api_client):
    offenders = [
        "/".join(map(str, path))
        for path, node in walk(schema(api_client))
        if node.get("nullable") and "type" not in node
    ]
    assert offenders == []


def test_the_doctors_available_filter_is_a_boolean(api_client):
    parameters = schema(api_client)["paths"]["/api/doctors/"]["get"]["parameters"]
    available = next(p for p in parameters if p["name"] == "available")
    assert available["schema"] == {"type": "boolean"}


def test_the_doctors_ordering_is_a_comma_separated_list(api_client):
    parameters = schema(api_client)["paths"]["/api/doctors/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")
    assert (ordering["style"], ordering["explode"], ordering["schema"]["type"]) == (
        "form",
        False,
        "array",
    )


def enum_of(document, node) -> set:
    """The values a property may take, following `$ref`, `allOf` and `oneOf`."""
    if "$ref" in node:
        return enum_of(document, document["components"]["schemas"][node["$ref"].split("/")[-1]])
    values = set(node.get("enum", []))
    for key in ("allOf", "oneOf"):
        for item in node.get(key, []):
            values |= enum_of(document, item)
    return values


@pytest.mark.parametrize(
    ("component", "field", "expected"),
    [
        ("ReportAppointment", "status", {"pending", "confirmed", "cancelled", "completed"}),
        ("AppointmentOutput", "status", {"pending", "confirmed", "cancelled", "completed"}),
        ("ProfileOutput", "role", {"patient", "doctor", "admin"}),
        ("AuditLogEntryOutput", "actor_role", {"patient", "doctor", "admin", ""}),
        ("AuditLogEntryOutput", "action", {"login_succeeded", "appointment_booked", "logout"}),
    ],
)
def test_closed_sets_are_enums(api_client, component, field, expected):
    document = schema(api_client)
    prop = document["components"]["schemas"][component]["properties"][field]
    assert enum_of(document, prop) >= expected


def test_optional_request_fields_carry_no_default_generators_would_make_required(api_client):
    components = schema(api_client)["components"]["schemas"]
    offenders = [
        f"{name}.{field}"
        for name, component in components.items()
        if name.endswith("Request")
        for field, spec in component.get("properties", {}).items()
        if "default" in spec and field not in component.get("required", [])
    ]
    assert offenders == []


def test_an_optional_request_fields_default_is_described(api_client):
    components = schema(api_client)["components"]["schemas"]
    role = components["RegisterInputRequest"]["properties"]["role"]
    assert "Default when left out: `patient`." in role["description"]
