"""A request's input read through its input serializer, the first step of every write view."""


def validated(serializer_class, data, **kwargs):
    """`data` as `serializer_class` validates it; invalid input raises DRF's ValidationError,
    which the exception handler answers as a 400."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
