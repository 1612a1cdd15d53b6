"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Minsheng API", version="1", urls_namespace="api")
