from django.urls import path

from appointments import views

urlpatterns = [
    path("appointments/book/", views.AppointmentBookView.as_view(), name="appointment-book"),
    path(
        "appointments/<int:pk>/", views.AppointmentDetailView.as_view(), name="appointment-detail"
    ),
    path(
        "appointments/<int:pk>/cancel/",
        views.AppointmentCancelView.as_view(),
        name="appointment-cancel",
    ),
    path(
        "profile/appointments/",
        views.MyAppointmentListView.as_view(),
        name="my-appointments",
    ),
]
