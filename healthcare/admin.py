"""Pieces the apps' Django admin pages share."""


class ReadOnlyAdminMixin:
    """A ModelAdmin that lists and shows rows but never adds, changes or deletes one."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
