"""OpenAPI tweaks that hold for every endpoint.

Times: OpenAPI's `format: time` means RFC 3339 `HH:MM:SS` plus an offset, which the API neither
sends nor needs; clients generated from it would reject `"09:30"`. Every TimeField is described
as the string it is, with a pattern. Imported by healthcare.api.views so it registers at startup.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

TIME_OUTPUT_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
TIME_INPUT_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


class TimeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                "type": "string",
                "pattern": TIME_INPUT_PATTERN,
                "example": "09:30",
                "description": "Local wall-clock time, `HH:MM` (or `HH:MM:SS`).",
            }
        return {
            "type": "string",
            "pattern": TIME_OUTPUT_PATTERN,
            "example": "09:30",
            "description": "Local wall-clock time, `HH:MM`.",
        }
