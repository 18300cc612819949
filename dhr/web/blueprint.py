"""The web pages' blueprint: its own module, so the page modules import it without importing
the package that lists them."""

from flask import Blueprint

bp = Blueprint("web", __name__)
