"""What every reader returns, and helpers shared by the SSDA903 and CIN census readers."""

from __future__ import annotations

from dataclasses import dataclass, field

from careflow.errors import ReturnFormatError
from careflow.issues import Issue, Severity, count_by_severity, errors
from careflow.tables import CareData

__all__ = ["ReadResult", "decode"]


@dataclass
class ReadResult:
    """Canonical tables read from a return, and every issue found on the way.

    Attributes:
        data: the canonical tables.
        issues: every issue, in the order found.
        files: the files read.
        collection: ``"ssda903"`` or ``"cin"``.
        year: the collection year (ending 31 March) the return is for, where known.
    """

    data: CareData
    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    collection: str = ""
    year: int | None = None

    @property
    def has_errors(self) -> bool:
        """True if any issue is an error."""
        return any(i.severity is Severity.ERROR for i in self.issues)

    def counts(self) -> dict[Severity, int]:
        """Issues by severity."""
        return count_by_severity(self.issues)

    def raise_for_errors(self) -> ReadResult:
        """Raise :class:`ReturnFormatError` listing every error, or return self if there are none."""
        errs = errors(self.issues)
        if errs:
            shown = "\n".join(f"  {e}" for e in errs[:20])
            more = f"\n  … and {len(errs) - 20} more" if len(errs) > 20 else ""
            raise ReturnFormatError(
                f"{len(errs)} error(s) in {', '.join(self.files) or 'the return'}:\n{shown}{more}", errs
            )
        return self


def decode(raw: bytes, file: str) -> tuple[str, list[Issue]]:
    """Decode a return file's bytes: UTF-8 (with or without BOM), else Windows-1252 with a warning.

    Returns the text and any issue about its encoding. Bytes that are neither are replaced and reported
    as an error naming the first bad byte's offset, so nothing is lost silently.
    """
    issues: list[Issue] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), issues
    except UnicodeDecodeError as exc:
        offset = exc.start
    try:
        text = raw.decode("cp1252")
        issues.append(
            Issue(
                "encoding",
                Severity.WARNING,
                f"not UTF-8 (first non-UTF-8 byte at offset {offset}); read as Windows-1252. "
                "Save the file as UTF-8 to be sure names and postcodes are read as intended.",
                file=file,
            )
        )
        return text, issues
    except UnicodeDecodeError as exc2:
        issues.append(
            Issue(
                "encoding",
                Severity.ERROR,
                f"neither UTF-8 nor Windows-1252 (undecodable byte at offset {exc2.start}); "
                "undecodable bytes were replaced with U+FFFD. Save the file as UTF-8.",
                file=file,
            )
        )
        return raw.decode("utf-8", errors="replace"), issues
