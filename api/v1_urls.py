"""/api/v1/: django-ninja's URLs, every operation behind api.gate (key, throttle, log). The OpenAPI
description and its browsable page are open to anyone: they describe, they hold no data."""

from api.gate import gate
from api.v1 import api

OPEN = {"openapi-json", "openapi-view"}

urlpatterns, app_name, namespace = api.urls
for pattern in urlpatterns:
    if pattern.name not in OPEN:
        pattern.callback = gate(pattern.callback)
