from django.urls import path

from admin_panel import scheduling_views, views
from healthcare.api.routers import IdRouter

router = IdRouter()
router.register("doctors", views.DoctorAdminViewSet, basename="admin-panel-doctor")
router.register("patients", views.PatientAdminViewSet, basename="admin-panel-patient")
router.register("appointments", views.AppointmentAdminViewSet, basename="admin-panel-appointment")
router.register("audit-log", views.AuditLogViewSet, basename="admin-panel-audit-log")

urlpatterns = [
    path(
        "doctors/<int:pk>/working-hours/",
        scheduling_views.DoctorWorkingHoursAdminView.as_view(),
        name="admin-panel-doctor-working-hours",
    ),
    path(
        "doctors/<int:pk>/time-off/",
        scheduling_views.DoctorTimeOffAdminView.as_view(),
        name="admin-panel-doctor-time-off",
    ),
    path(
        "doctors/<int:pk>/time-off/<int:time_off_id>/",
        scheduling_views.DoctorTimeOffDetailAdminView.as_view(),
        name="admin-panel-doctor-time-off-detail",
    ),
    path("closures/", scheduling_views.ClosureAdminListView.as_view(), name="admin-panel-closures"),
    path(
        "closures/<int:pk>/",
        scheduling_views.ClosureAdminDetailView.as_view(),
        name="admin-panel-closure-detail",
    ),
    path("reports/", views.ReportView.as_view(), name="admin-panel-reports"),
    path("reports/export/", views.ReportExportView.as_view(), name="admin-panel-reports-export"),
    *router.urls,
]
