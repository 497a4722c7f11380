"""The API: `/api/v1/`, its OpenAPI description at `/api/v1/openapi.json`, browsable docs at
`/api/v1/docs` (served from the app's own static files). docs/api.md is the guide."""

from __future__ import annotations

from ninja import NinjaAPI

from cercle.api import errors
from cercle.api.auth import TokenAuth, TokenRateThrottle
from cercle.api.network import contacts, figures, introductions, projects
from cercle.api.requests import offers
from cercle.api.requests import router as requests

api = NinjaAPI(
    title="Cercle API",
    version="1",
    description=(
        "Requests, their gestures, projects, the network and the dashboard of a Cercle hub. "
        "Authenticate with a personal token: `Authorization: Bearer crc_…` (created on the “API tokens” page). "
        "Errors are JSON `{code, message}`, the message in the language of `Accept-Language`."
    ),
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
    urls_namespace="api",
)
errors.install(api)
api.add_router("/requests", requests)
api.add_router("/offers", offers)
api.add_router("/contacts", contacts)
api.add_router("/projects", projects)
api.add_router("/introductions", introductions)
api.add_router("/dashboard", figures)
api.add_router("/exports", "cercle.api.export_api.router")
