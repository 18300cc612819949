"""Serves GOV.UK Frontend from the npm package the set-up command installed (no CDN)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint("assets", __name__, url_prefix="/assets")


def govuk_dist() -> Path:
    root = Path(os.environ.get("DHR_FRONTEND_DIR") or Path(__file__).parent.parent / "frontend")
    return root / "node_modules" / "govuk-frontend" / "dist" / "govuk"


@bp.get("/govuk/<path:filename>")
def govuk(filename: str) -> ResponseReturnValue:
    dist = govuk_dist()
    if not dist.is_dir():
        abort(404)
    return send_from_directory(dist, filename, max_age=3600)
