"""The API's JSON parser: DRF's, refusing bodies nested deeper than any endpoint needs.

Python's decoder recurses per nesting level, so `[[[[…]]]]` within the 64 KiB body cap would
end in RecursionError (a 500); anything nested past MAX_DEPTH is refused with a 400 instead.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

# The deepest body the API takes (a profile update: object → list → object) is 3 levels.
MAX_DEPTH = 10

TOO_DEEP = f"JSON parse error - nested deeper than {MAX_DEPTH} levels."


def _depth_exceeds(data, limit: int) -> bool:
    """True when containers nest more than `limit` levels (iterative: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(DRFJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        return data
