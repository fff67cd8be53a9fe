"""Instructor-side tools: the nbgrader pipeline used by the test suite and by the grading commands."""
