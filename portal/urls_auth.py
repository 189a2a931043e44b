"""Staff sign-in URLs under /accounts/ (names without a namespace: login, logout, otp_verify, otp_setup)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from portal import views_auth

urlpatterns = [
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views_auth.otp_verify, name="otp_verify"),
    path("otp/setup/", views_auth.otp_setup, name="otp_setup"),
    path("otp/setup/qr.svg", views_auth.otp_setup_qr, name="otp_setup_qr"),
    path("otp/backup-codes/", views_auth.backup_codes, name="otp_backup_codes"),
]
