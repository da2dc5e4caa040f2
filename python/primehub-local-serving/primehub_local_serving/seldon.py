"""Seldon Core v1 REST, as seldon-core 1.17's Python microservice speaks it.

Requests are read, and responses and errors built, by the same rules as seldon-core's
``flask_utils.get_request``, ``utils.extract_request_parts_json`` and
``utils.construct_response_json``, so that a client sees the same bodies from PrimeHub Local as
from a Seldon deployment on PrimeHub. seldon-core itself is not used (BSL from 1.18, and pins
that clash with MLflow's).
"""

import base64
import json
import logging
import os

import numpy as np
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

BAD_DATA = "MICROSERVICE_BAD_DATA"
INTERNAL_ERROR = "MICROSERVICE_INTERNAL_ERROR"


class SeldonError(Exception):
    """An error answered with Seldon's body: 400 MICROSERVICE_BAD_DATA unless told otherwise."""

    def __init__(self, message, status=400, reason=BAD_DATA):
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason

    def body(self):
        return {"status": {"status": 1, "info": self.message, "code": -1, "reason": self.reason}}


def read_message():
    """The request's SeldonMessage: multipart form, a ``json`` form or query field, else the JSON body."""
    if request.content_type is not None and "multipart/form-data" in request.content_type:
        message = {}
        for key in request.form:
            value = request.form.get(key)
            message[key] = value if key == "strData" else json.loads(value)
        for key in request.files:
            data = request.files[key].read()
            # binData travels base64-encoded inside the message, as in seldon-core
            message[key] = base64.b64encode(data) if key == "binData" else data.decode("utf-8")
        return message
    text = request.form.get("json") or request.args.get("json")
    if text:
        return json.loads(text)
    try:
        message = request.get_json()
    except HTTPException:
        # Werkzeug < 2.3 (seldon-core's) raised BadRequest for a body that is not JSON, or not
        # declared JSON; newer ones may raise 415 instead: both are seldon-core's "Can't find JSON".
        raise SeldonError("Can't find JSON in data")
    if message is None:
        raise SeldonError("Can't find JSON in data")
    return message


def extract_parts(message):
    """(features, meta, datadef) of a SeldonMessage; anything but data/jsonData/strData/binData is refused."""
    if not isinstance(message, dict):
        raise SeldonError(f"Invalid request data type: {message}")
    meta = message.get("meta", None)
    datadef = None
    if "data" in message:
        datadef = message["data"]
        if "tensor" in datadef:
            tensor = datadef["tensor"]
            features = np.array(tensor["values"]).reshape(tensor["shape"])
        elif "ndarray" in datadef:
            features = np.array(datadef["ndarray"])
        else:
            features = np.array([])
    elif "jsonData" in message:
        features = message["jsonData"]
    elif "strData" in message:
        features = message["strData"]
    elif "binData" in message:
        features = base64.b64decode(message["binData"])
    else:
        raise SeldonError(f"Invalid request data type: {message}")
    return features, meta, datadef


def class_names(model, predictions):
    """The model's ``class_names`` for a 2-D result, else ``t:0`` … ``t:n-1``; none for other shapes."""
    if len(predictions.shape) > 1:
        names = getattr(model, "class_names", None)
        if names is not None:
            return list(names)
        return [f"t:{i}" for i in range(predictions.shape[1])]
    return []


def request_path():
    """``meta.requestPath`` from the environment, as seldon-core sets it (nothing when unset)."""
    name = os.environ.get("PREDICTIVE_UNIT_ID")
    if not name:
        return {}
    return {name: os.environ.get("PREDICTIVE_UNIT_IMAGE", "")}


def build_response(model, message, result, meta):
    """The response to ``message`` for the model's ``result`` (seldon-core's construct_response_json)."""
    response = {}
    if isinstance(result, dict):
        response["jsonData"] = result
    elif isinstance(result, (bytes, bytearray)):
        response["binData"] = base64.b64encode(result).decode("utf-8")
    elif isinstance(result, str):
        response["strData"] = result
    else:
        if not isinstance(result, (np.ndarray, list)):
            raise SeldonError(
                "Unknown data type returned as payload (must be list or np array):" + str(result)
            )
        array = result if isinstance(result, np.ndarray) else np.array(result)
        as_list = result.tolist() if isinstance(result, np.ndarray) else result
        numeric = np.issubdtype(array.dtype, np.number)
        tensor = {"values": array.ravel().tolist(), "shape": list(array.shape)}
        if "data" in message:
            # a tensor in gives a tensor out; an ndarray (or a non-numeric result) an ndarray
            kind, value = ("tensor", tensor) if numeric and "tensor" in message["data"] else ("ndarray", as_list)
        else:
            kind, value = ("tensor", tensor) if numeric else ("ndarray", as_list)
        response["data"] = {kind: value, "names": class_names(model, array)}
    response["meta"] = {}
    tags = dict((meta or {}).get("tags", {}) or {})
    metrics = list((meta or {}).get("metrics", []) or [])
    if tags:
        response["meta"]["tags"] = tags
    if metrics:
        response["meta"]["metrics"] = metrics
    puid = message.get("meta", {}).get("puid", None)
    if puid:
        response["meta"]["puid"] = puid
    path = {**request_path(), **message.get("meta", {}).get("requestPath", {})}
    if path:
        response["meta"]["requestPath"] = path
    return response


def predict(model, message):
    """One prediction: the request's parts through ``model.predict(X, names, meta)``, the response built."""
    features, meta, datadef = extract_parts(message)
    names = datadef.get("names", []) if isinstance(datadef, dict) else []
    result = model.predict(features, names, meta=meta)
    return build_response(model, message, result, meta)


def create_app(model):
    """The Flask app of seldon-core's microservice routes for ``model``."""
    app = Flask("primehub_local_serving")

    @app.errorhandler(SeldonError)
    def seldon_error(err):
        response = jsonify(err.body())
        response.status_code = err.status
        return response

    @app.errorhandler(Exception)
    def unexpected(err):
        if isinstance(err, HTTPException) and err.code is not None and err.code < 500 and err.code != 400:
            # not found, method not allowed: Flask's own answer
            return err
        log.exception("prediction failed")
        response = jsonify(SeldonError(str(err), 500, INTERNAL_ERROR).body())
        response.status_code = 500
        return response

    def predictions():
        body = predict(model, read_message())
        response = jsonify(body)
        code = body.get("status", {}).get("code") if isinstance(body.get("status"), dict) else None
        if isinstance(code, int) and code >= 100:
            # a model's own status code becomes the HTTP status, as in seldon-core
            response.status_code = code
        return response

    for rule in ("/predict", "/api/v1.0/predictions", "/api/v0.1/predictions"):
        app.add_url_rule(rule, rule, predictions, methods=["GET", "POST"])

    def ping():
        return Response("pong", mimetype="text/plain")

    def status():
        # seldon-core's client_health_status: the model's own health_status(), else "healthy"
        check = getattr(model, "health_status", None)
        return jsonify(build_response(model, {}, check() if callable(check) else "healthy", None))

    app.add_url_rule("/health/ping", "ping", ping, methods=["GET"])
    for rule in ("/health/status", "/api/v1.0/health/status"):
        app.add_url_rule(rule, rule, status, methods=["GET"])
    return app
