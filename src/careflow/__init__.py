"""careflow: open-source software for England's children's social care."""

from careflow.errors import CareflowError
from careflow.issues import Issue, Severity

__all__ = ["CareflowError", "Issue", "Severity", "__version__"]

__version__ = "0.1.0"
