"""A model that takes every Seldon input form, for the protocol tests: one ``echo`` that both the
MLflow pyfunc model (served by PrimeHub Local) and the seldon-core user class (served by the real
seldon-core 1.17.1 microservice) call, so both servers get the same answers to build responses from.
"""

import hashlib

import numpy as np


def echo(model_input):
    """A string upper-cased (strData out), bytes described (jsonData out), a dict's keys (jsonData
    out), anything else as a float array doubled (data out)."""
    if isinstance(model_input, str):
        return model_input.upper()
    if isinstance(model_input, (bytes, bytearray)):
        return {"bytes": len(model_input), "sha256": hashlib.sha256(model_input).hexdigest()}
    if isinstance(model_input, dict):
        return {"keys": sorted(model_input)}
    return np.asarray(model_input, dtype=float) * 2
