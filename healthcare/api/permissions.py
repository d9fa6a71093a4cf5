"""Role predicates that compose with `&` and `|`."""

from rest_framework.permissions import BasePermission


class _RolePermission(BasePermission):
    role: str = ""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role == self.role)


class IsPatient(_RolePermission):
    role = "patient"


class IsDoctor(_RolePermission):
    role = "doctor"


class IsAdminRole(_RolePermission):
    role = "admin"
