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
    path("reports/", views.ReportView.as_view(), name="admin-panel-reports"),
    path("reports/export/", views.ReportExportView.as_view(), name="admin-panel-reports-export"),
    *router.urls,
]
