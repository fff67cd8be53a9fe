"""nbgrader configuration of the course. Paths are relative to this file, so the course can live anywhere."""
import os
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))  # the course's own preprocessors (course_grading/); copies of the course use PYTHONPATH

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput,  # noqa: E402
                                    DeduplicateIds, GetGrades, IgnorePattern, LimitOutput, OverwriteCells,
                                    OverwriteKernelspec, SaveAutoGrades)

from course_grading.preprocessors import GuardedExecute, HideHiddenTests, SanitizeMetadata  # noqa: E402

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "dl-speech-audio"
c.CourseDirectory.root = str(here)
c.CourseDirectory.db_url = os.environ.get("COURSE_GRADEBOOK", f"sqlite:///{here / 'gradebook.db'}")

# The exchange (release/fetch/submit/collect). On a hub set COURSE_EXCHANGE to the shared folder,
# e.g. /srv/nbgrader/exchange; locally it is a folder inside the course (ignored by git).
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", str(here / "exchange"))

# Training cells take up to a minute on 2 CPU cores; a cell that runs longer than this is stopped.
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", 300))
c.Execute.interrupt_on_timeout = True

# Student versions: stubs that fail loudly until the student writes the code.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The notebooks filter warnings in their setup cell: nbgrader gives 0 to a test cell that writes to stderr.
c.Execute.extra_arguments = ["--HistoryManager.enabled=False"]

# Autograding (see course_grading/preprocessors.py): the kernel runs in the sandbox of course_grading/sandbox.py
# (GuardedExecute starts it with SandboxedKernelManager; COURSE_SANDBOX=auto|bwrap|off, default auto, the log says
# which one ran): it sees its notebook folder, the environment and course_utils, not source/, the gradebook or
# other submissions. Graded cells a submission deleted are put back, and
# duplicated or invented ones do not abort grading; the guarded executor survives a dying kernel, undoes what
# a submission patched before each test cell and does not zero a passing test for a warning.
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, SanitizeMetadata, OverwriteKernelspec,
                                      OverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

# Feedback shows each test's visible part, pass/fail and failure message, never the hidden test code.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
