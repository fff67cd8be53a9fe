"""nbgrader settings every user's server needs on the course hub (students and instructors alike).

The hub puts this folder on JUPYTER_CONFIG_PATH; the values come from the environment the hub sets."""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

# The Assignments tab lists this course's assignments from the shared exchange folder.
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "dl-speech-audio")
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")

# The Validate button runs the whole notebook: long enough for training cells on a busy shared CPU.
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", 600))
c.Execute.interrupt_on_timeout = True
