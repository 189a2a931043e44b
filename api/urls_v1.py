"""The integration API's URLs (django-ninja builds them), included by portal/urls.py under /api/v1/."""

from api.v1 import api

urlpatterns, app_name, _namespace = api.urls
