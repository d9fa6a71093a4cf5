"""OpenAPI clean-ups that keep the schema lint-clean for front-end tooling (Redocly, generators).

Registered after the error-response hook in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"].
"""


def lint_clean(result, generator, request, public):
    """Postprocessing hook: what generators and linters read right, said the way they read it.

    - `nullable` gets the `type` OpenAPI 3.0 says it needs. drf-spectacular writes a nullable
      nested serializer as `{allOf: [$ref], nullable: true}`; OpenAPI 3.0.3 only honours
      `nullable` beside a `type`, so generators may drop the `null` and Redocly's
      `nullable-type-sibling` rule calls it an error. The referenced component's type is added.
    - An optional request field's server-side default moves into its description.
      openapi-typescript (by default) makes every property with a `default` required, so a
      generated client had to send `notes` with every booking and `role` with every
      registration; the default is what the server assumes when the field is left out.
    """
    components = result.get("components", {}).get("schemas", {})
    _add_nullable_types(result, components)
    for name, component in components.items():
        if name.endswith("Request"):
            _describe_request_defaults(component)
    return result


def _describe_request_defaults(component: dict) -> None:
    required = set(component.get("required", []))
    for name, prop in component.get("properties", {}).items():
        if name in required or "default" not in prop:
            continue
        default = prop.pop("default")
        shown = '`""` (empty)' if default == "" else f"`{default}`"
        note = f"Default when left out: {shown}."
        prop["description"] = f"{prop['description']} {note}" if prop.get("description") else note


def _add_nullable_types(node, components: dict) -> None:
    if isinstance(node, dict):
        if node.get("nullable") and "type" not in node:
            refs = [
                item.get("$ref", "") for item in node.get("allOf", []) if isinstance(item, dict)
            ]
            types = {components.get(ref.rsplit("/", 1)[-1], {}).get("type") for ref in refs}
            if len(types) == 1 and None not in types:
                node["type"] = types.pop()
        for value in node.values():
            _add_nullable_types(value, components)
    elif isinstance(node, list):
        for item in node:
            _add_nullable_types(item, components)
