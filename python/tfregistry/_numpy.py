"""numpy arrays from the ``.npy`` files ``registry cat --npy`` writes."""

from __future__ import annotations

import numpy as np

# TensorFlow dtypes numpy lacks: `cat` writes their bits as unsigned (or, for int4/int2, signed)
# integers of their width; ml_dtypes (which TensorFlow depends on) has the types themselves.
_ML_DTYPES = {
    "bfloat16", "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2fnuz",
    "int4", "uint4", "int2", "uint2", "float4_e2m1fn",
}


def from_npy(array: np.ndarray, dtype: str) -> np.ndarray:
    """The tensor as TensorFlow's checkpoint reader returns it, from ``cat``'s ``.npy``:
    strings as an object array of ``bytes``; the types of ``_ML_DTYPES`` viewed as ``ml_dtypes``'
    own (left as integers when ``ml_dtypes`` is not installed)."""
    if dtype == "string":
        return _strings(array)
    if dtype in _ML_DTYPES:
        try:
            import ml_dtypes
        except ImportError:
            return array
        return array.view(getattr(ml_dtypes, dtype))
    return array


def _strings(array: np.ndarray) -> np.ndarray:
    flat = array.reshape(-1)
    if array.dtype.names == ("length", "bytes"):
        items = [bytes(record["bytes"].tobytes()[: int(record["length"])]) for record in flat]
    else:
        items = [bytes(item) for item in flat]
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(array.shape)
