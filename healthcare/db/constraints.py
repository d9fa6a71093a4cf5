"""Constraints more than one app's models declare."""

from django.db import models


def choices_check(field: str, choices: type[models.Choices], name: str) -> models.CheckConstraint:
    """The database refuses a `field` value outside `choices` (the model's `choices` only bind
    forms and `full_clean`, not `update()` or raw SQL)."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)
