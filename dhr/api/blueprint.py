"""The JSON API's blueprint: its own module, so the route modules import it without
importing the package that lists them."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
