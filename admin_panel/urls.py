from django.urls import path

from admin_panel import scheduling_views, views
from doctors.urls import schedule_urls
from healthcare.api.routers import IdRouter

router = IdRouter()
router.register("doctors", views.DoctorAdminViewSet, basename="admin-panel-doctor")
router.register("patients", views.PatientAdminViewSet, basename="admin-panel-patient")
router.register("appointments", views.AppointmentAdminViewSet, basename="admin-panel-appointment")
router.register("audit-log", views.AuditLogViewSet, basename="admin-panel-audit-log")

urlpatterns = [
    *schedule_urls(
        "doctors/<int:pk>/",
        "admin-panel-doctor",
        (
            scheduling_views.DoctorWorkingHoursAdminView,
            scheduling_views.DoctorTimeOffAdminView,
            scheduling_views.DoctorTimeOffDetailAdminView,
        ),
        time_off_id="time_off_id",
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
