"""OpenAPI clean-ups that keep the schema lint-clean for front-end tooling (Redocly, generators).

Registered after the error-response hook in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"].
"""


def lint_clean(result, generator, request, public):
    """Postprocessing hook: `nullable` gets the `type` OpenAPI 3.0 says it needs.

    drf-spectacular writes a nullable nested serializer as `{allOf: [$ref], nullable: true}`;
    OpenAPI 3.0.3 only honours `nullable` beside a `type`, so generators may drop the `null`
    and Redocly's `nullable-type-sibling` rule calls it an error. The referenced component's
    type is added.
    """
    components = result.get("components", {}).get("schemas", {})
    _add_nullable_types(result, components)
    return result


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
