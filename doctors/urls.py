from django.urls import path

from doctors import views
from doctors.scheduling_views import WorkingHoursView
from doctors.time_off_views import ClinicClosureListView, TimeOffDetailView, TimeOffListView


def schedule_urls(prefix: str, name: str, views, *, time_off_id: str = "pk") -> list:
    """A doctor's weekly hours and time off under `prefix`: the doctor's own (`profile/`) and,
    with the admin panel's subclasses of the same three views, any doctor's."""
    working_hours, time_off_list, time_off_detail = views
    return [
        path(f"{prefix}working-hours/", working_hours.as_view(), name=f"{name}-working-hours"),
        path(f"{prefix}time-off/", time_off_list.as_view(), name=f"{name}-time-off"),
        path(
            f"{prefix}time-off/<int:{time_off_id}>/",
            time_off_detail.as_view(),
            name=f"{name}-time-off-detail",
        ),
    ]


urlpatterns = [
    path("doctors/", views.DoctorListView.as_view(), name="doctor-list"),
    path("doctors/<int:pk>/", views.DoctorDetailView.as_view(), name="doctor-detail"),
    path("doctors/<int:pk>/slots/", views.DoctorSlotListView.as_view(), name="doctor-slots"),
    *schedule_urls("profile/", "profile", (WorkingHoursView, TimeOffListView, TimeOffDetailView)),
    path("clinic/closures/", ClinicClosureListView.as_view(), name="clinic-closures"),
]
