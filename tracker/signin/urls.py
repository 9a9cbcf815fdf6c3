from django.urls import path

from tracker.signin import views

urlpatterns = [
    path("second-factor/set-up/", views.enrol_totp, name="signin_enrol_totp"),
]
