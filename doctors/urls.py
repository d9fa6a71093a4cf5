from django.urls import path

from doctors import scheduling_views, views

urlpatterns = [
    path("doctors/", views.DoctorListView.as_view(), name="doctor-list"),
    path("doctors/<int:pk>/", views.DoctorDetailView.as_view(), name="doctor-detail"),
    path("doctors/<int:pk>/slots/", views.DoctorSlotListView.as_view(), name="doctor-slots"),
    path(
        "profile/working-hours/",
        scheduling_views.WorkingHoursView.as_view(),
        name="profile-working-hours",
    ),
]
