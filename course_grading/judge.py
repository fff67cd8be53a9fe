"""Verdicts reached outside the kernel.

A test cell runs in the student's kernel, so code that takes over that kernel can make any check inside it
pass. A hidden test can therefore hand its verdict to the grader: its in-kernel part calls the submission and
``record``s what it returned (course_utils.testing); its ``### BEGIN JUDGE`` ... ``### END JUDGE`` block
computes what the values should be and checks them. The autograder (preprocessors.GuardedExecute) cuts the
block out before the kernel sees the cell, reads the records back from the cell's outputs, and runs the block
here, in its own process, with the instructor's code only. A kernel that does not run the test honestly
records nothing, or values that fail the judge: it can no longer fake a pass without producing the answers.

The judge sees ``records`` and the names of ``PRELUDE`` only: it computes its own inputs (from the same seeds
as the test) and never calls the submission.
"""
import re

HIDDEN_JUDGE = re.compile(r"^### BEGIN JUDGE[ \t]*\n(.*?)^### END JUDGE[ \t]*(?:\n|\Z)", re.S | re.M)
PRELUDE = ("import math\nimport numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
           "from course_utils.testing import *\n")


def split(source):
    """(the source the kernel runs, the judge's code or None) of a test cell."""
    blocks = HIDDEN_JUDGE.findall(source)
    return HIDDEN_JUDGE.sub("", source), ("\n".join(blocks) if blocks else None)


def records_of(outputs):
    """The values a cell recorded, read from its outputs (a value recorded twice is an error)."""
    from course_utils.testing import RECORD_MIME, Records, decode_record
    found = Records()
    for o in outputs:
        payload = o.get("data", {}).get(RECORD_MIME) if o.get("output_type") in ("display_data", "execute_result") \
            else None
        if payload is None:
            continue
        name, value = decode_record(payload)
        if name in found:
            raise ValueError(f"the value {name!r} was recorded twice")
        found[name] = value
    return found


def verdict(code, outputs):
    """None if the judge accepts the cell's records, else (error name, message) for the cell's error output."""
    ns = {"__name__": "__judge__"}
    try:
        exec(compile(PRELUDE, "<judge>", "exec"), ns)
        ns["records"] = records_of(outputs)
        exec(compile(code, "<judge>", "exec"), ns)
    except AssertionError as err:  # CheckFailed and plain asserts: the message teaches
        return type(err).__name__, str(err)
    except Exception as err:  # malformed records, or values the judge could not even compare
        return "CheckFailed", f"the recorded values could not be checked ({type(err).__name__}: {str(err)[:300]})"
    return None
