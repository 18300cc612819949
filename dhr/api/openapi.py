"""The OpenAPI document, generated from the routes and their pydantic models."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import BaseConverter, IntegerConverter

from dhr.api.schemas import ErrorOut

F = TypeVar("F", bound=Callable[..., Any])
_RULE_ARG = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")  # <int:review_id> -> {review_id}


def documented(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    anonymous: bool = False,
) -> Callable[[F], F]:
    """Attach what the OpenAPI document says about a view."""

    def attach(view: F) -> F:
        view._openapi = {  # type: ignore[attr-defined]
            "summary": summary, "body": body, "query": query, "response": response,
            "status": status, "anonymous": anonymous,
        }
        return view

    return attach


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _converter_schema(converter: BaseConverter) -> dict[str, str]:
    return {"type": "integer"} if isinstance(converter, IntegerConverter) else {"type": "string"}


def build_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    models: set[type[BaseModel]] = {ErrorOut}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        spec = getattr(view, "_openapi", None)
        if spec is None:
            continue
        path = _RULE_ARG.sub(r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "summary": spec["summary"],
                "operationId": f"{rule.endpoint.removeprefix('api.')}_{method.lower()}",
                "responses": {
                    "default": {"description": "error",
                                "content": {"application/json": {"schema": _ref(ErrorOut)}}},
                },
            }
            params = [{"name": name, "in": "path", "required": True,
                       "schema": _converter_schema(converter)}
                      for name, converter in rule._converters.items()]
            if spec["query"]:
                properties = spec["query"].model_json_schema()["properties"]
                params += [{"name": name, "in": "query", "required": False, "schema": schema}
                           for name, schema in properties.items()]
            if params:
                op["parameters"] = params
            if spec["body"]:
                models.add(spec["body"])
                op["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": _ref(spec["body"])}}}
            ok: dict[str, Any] = {"description": "success"}
            if spec["response"]:
                models.add(spec["response"])
                ok["content"] = {"application/json": {"schema": _ref(spec["response"])}}
            op["responses"][str(spec["status"])] = ok
            if not spec["anonymous"]:
                op["security"] = [{"bearer": []}]
            paths.setdefault(path, {})[method.lower()] = op
    ordered = sorted(models, key=lambda m: m.__name__)
    _, schema = models_json_schema(
        [(m, "validation") for m in ordered], ref_template="#/components/schemas/{model}"
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "DHR API", "version": "1"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
