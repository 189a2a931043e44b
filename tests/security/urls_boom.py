"""The portal's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("secret-internal-detail: database password is hunter2")


def boom_with_token(request, token):
    raise RuntimeError("failed while handling a patient link")


urlpatterns = [path("p/<str:token>/boom/", boom_with_token), *urlpatterns, path("boom/", boom)]
