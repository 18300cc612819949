"""Entry point for `celery -A dhr.celery_app worker`."""

from dhr import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
