"""The chronology as a PDF (fpdf2): for court bundles and subject access requests.

Every page carries the protective marking (OFFICIAL-SENSITIVE), the child's name and record number, who printed it
and when, and "page n of N". DejaVu Sans is used where Debian ships it (any name prints); otherwise the PDF core
font, with characters it lacks replaced.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fpdf import FPDF

from careflow.record.labels import human_date
from careflow.record.schemas import ChildPublic, EventPublic

__all__ = ["MARKING", "chronology_pdf"]

MARKING = "OFFICIAL-SENSITIVE"
_FONTS = Path("/usr/share/fonts/truetype/dejavu")


class _Chronology(FPDF):
    def __init__(self, heading: str, footer: str) -> None:
        super().__init__(format="A4")
        self.heading, self.footer_text = heading, footer
        self.unicode = (_FONTS / "DejaVuSans.ttf").exists() and (_FONTS / "DejaVuSans-Bold.ttf").exists()
        if self.unicode:
            self.add_font("body", "", str(_FONTS / "DejaVuSans.ttf"))
            self.add_font("body", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
            self.family_name = "body"
        else:
            self.family_name = "helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()

    def text_(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.family_name, "B", 10)
        self.cell(0, 6, MARKING, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family_name, "", 9)
        self.cell(0, 5, self.text_(self.heading), align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family_name, "", 8)
        self.cell(0, 4, self.text_(f"{self.footer_text} · page {self.page_no()} of {{nb}}"), align="C",
                  new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family_name, "B", 8)
        self.cell(0, 4, MARKING, align="C")


def chronology_pdf(child: ChildPublic, events: list[EventPublic], *, printed_by: str, printed_at: dt.datetime,
                   filters: str = "") -> bytes:
    """The chronology (oldest first, as a court reads it) as PDF bytes."""
    name = f"{child.given_name} {child.family_name}"
    born = f", born {human_date(child.date_of_birth)}" if child.date_of_birth else ""
    pdf = _Chronology(f"Chronology of {name}{born} · record {child.la_child_id}",
                      f"Printed {human_date(printed_at)} {printed_at:%H:%M} by {printed_by}")
    pdf.set_title(f"Chronology of {name}")
    pdf.set_author(printed_by)
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 14)
    pdf.multi_cell(0, 8, pdf.text_(f"Chronology: {name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family_name, "", 9)
    pdf.multi_cell(0, 5, pdf.text_(f"{len(events)} entries{filters}. Entries recorded late show both dates; "
                                   "corrections and retractions are shown beside the entries they correct, which "
                                   "are never changed."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for e in events:
        _entry(pdf, e)
    out: Any = pdf.output()
    return bytes(out)


def _entry(pdf: _Chronology, e: EventPublic) -> None:
    pdf.set_font(pdf.family_name, "B", 10)
    title = f"{human_date(e.occurred_on)}  {e.label}"
    if e.is_retracted:
        title += "  [RETRACTED]"
    elif e.corrected_by:
        title += "  [CORRECTED]"
    pdf.multi_cell(0, 5.5, pdf.text_(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family_name, "", 9)
    recorded = f"Recorded {human_date(e.recorded_at)} by {e.recorded_by or 'the system'}"
    if e.recorded_late_days:
        recorded += f" (late entry: {e.recorded_late_days} days after it happened)"
    lines = [recorded] + [f"{label}: {value}" for label, value in e.details]
    for line in lines:
        pdf.multi_cell(0, 4.5, pdf.text_(line), new_x="LMARGIN", new_y="NEXT")
    if e.note:
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 4.5, pdf.text_(e.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
