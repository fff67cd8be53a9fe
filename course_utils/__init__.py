"""course_utils: the helpers every notebook of the course imports.

Modules: ``device`` (device choice, seeding), ``data`` (shipped datasets), ``audio`` (read, write, resample, play),
``toy2d`` (2-D toy datasets), ``plotting``, ``training`` (a small training loop) and ``testing`` (checks for test
cells whose failures teach).
"""
from .device import get_device, seed_everything, setup

__all__ = ["get_device", "seed_everything", "setup"]
