"""The boundary between the judge and the subject.

The judge (the battery: the case search, every numerical estimate, every comparison and
verdict) never runs the code under test; the subject process holds that code, imports it, and
answers the judge's requests with plain data that the judge validates before use.  Whatever the
code under test patches, it patches only its own process.
"""

from .client import Subject, SubjectEnded, Worker
from .driver import PluginError

__all__ = ["PluginError", "Subject", "SubjectEnded", "Worker"]
