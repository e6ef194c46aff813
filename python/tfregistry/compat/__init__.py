"""TensorFlow 1 compatibility: ``tfregistry.compat.v1``."""
