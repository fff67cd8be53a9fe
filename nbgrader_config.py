"""nbgrader configuration of the course. Paths are relative to this file, so the course can live anywhere."""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader)
here = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "dl-speech-audio"
c.CourseDirectory.root = str(here)
c.CourseDirectory.db_url = os.environ.get("COURSE_GRADEBOOK", f"sqlite:///{here / 'gradebook.db'}")

# The exchange (release/fetch/submit/collect). On a hub set COURSE_EXCHANGE to the shared folder,
# e.g. /srv/nbgrader/exchange; locally it is a folder inside the course (ignored by git).
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", str(here / "exchange"))

# Training cells take up to a minute on 2 CPU cores; a cell that runs longer than this is stopped.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# Student versions: stubs that fail loudly until the student writes the code.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The notebooks filter warnings in their setup cell: nbgrader gives 0 to a test cell that writes to stderr.
c.Execute.extra_arguments = ["--HistoryManager.enabled=False"]
