"""The portal's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("secret-internal-detail: database password is hunter2")


urlpatterns = [*urlpatterns, path("boom/", boom)]
