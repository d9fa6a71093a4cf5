from django.urls import path

from doctors import scheduling_views, time_off_views, views

urlpatterns = [
    path("doctors/", views.DoctorListView.as_view(), name="doctor-list"),
    path("doctors/<int:pk>/", views.DoctorDetailView.as_view(), name="doctor-detail"),
    path("doctors/<int:pk>/slots/", views.DoctorSlotListView.as_view(), name="doctor-slots"),
    path(
        "profile/working-hours/",
        scheduling_views.WorkingHoursView.as_view(),
        name="profile-working-hours",
    ),
    path("profile/time-off/", time_off_views.TimeOffListView.as_view(), name="profile-time-off"),
    path(
        "profile/time-off/<int:pk>/",
        time_off_views.TimeOffDetailView.as_view(),
        name="profile-time-off-detail",
    ),
    path(
        "clinic/closures/",
        time_off_views.ClinicClosureListView.as_view(),
        name="clinic-closures",
    ),
]
