from django.urls import include, path, re_path

from api.v1.views import NotFoundView

urlpatterns = [
    path("v1/", include(("api.v1.urls", "v1"), namespace="v1")),
    # Last: any other path under /api/ is the API's JSON 404 (tests/test_isolation.py: "api/").
    re_path(r"", NotFoundView.as_view(), name="api-not-found"),
]
