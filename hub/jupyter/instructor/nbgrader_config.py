"""nbgrader settings of an instructor's (grader's) server on the course hub: the course's own configuration
(course id, the course's grader and feedback preprocessors, timeouts), read from the course folder that the hub
names in COURSE_DIR. The formgrader and the nbgrader command line in a terminal then work on that course."""
import os

load_subconfig(os.path.join(os.environ["COURSE_DIR"], "nbgrader_config.py"))  # noqa: F821 (provided by traitlets)
