"""course_utils: the helpers every notebook of the course imports.

Modules: ``device`` (device choice, seeding), ``data`` (shipped datasets), ``audio`` (read, write, resample, play),
``toy2d`` (2-D toy datasets), ``signals`` (test signals and spectral plots), ``digits`` (spoken-digit
splits and features), ``guitar_amp`` (the synthetic guitar and amplifier), ``degradations`` (controlled audio
degradations for metrics), ``text`` (character vocabulary, text windows, a reference LSTM language model),
``asr`` (connected digits, decoder files, pretrained recognisers), ``tts`` (the pretrained voice, espeak-ng,
CMUdict, alignments), ``profiling`` (small models to measure, an energy meter), ``denoising`` (speech and noise, masks, a baseline, evaluation), ``project`` (the course project's data splits), ``plotting``, ``training`` (a small
training loop) and ``testing`` (checks for test cells whose failures teach).
"""
from .device import get_device, seed_everything, setup

__all__ = ["get_device", "seed_everything", "setup"]
