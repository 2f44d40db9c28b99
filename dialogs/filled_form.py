"""A filled-in form (labelled fields, then statements) as plain text and as a PDF with the same words,
so a channel that cannot carry the file shows exactly what the file says."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import fontpkg_noto_sans

# Noto Sans covers every Latin, Greek and Cyrillic name a roster holds (the PDF core fonts stop at
# Latin-1, short of a Polish Ł or an en dash). Its default instance is the regular weight.
FONT = Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"
FAMILY = "Noto Sans"


@dataclass(frozen=True)
class FilledForm:
    title: str
    fields: list[tuple[str, str]]
    statements: list[str] = field(default_factory=list)
    footer: str = ""

    def text(self) -> str:
        lines = [self.title, "", *(f"{label}: {value}" for label, value in self.fields)]
        lines += ["", *self.statements] if self.statements else []
        return "\n".join([*lines, *(["", self.footer] if self.footer else [])])

    def pdf(self) -> bytes:
        # fpdf (with fontTools) is a fifth of the core's import time; only a form's PDF needs it.
        from fpdf import FPDF
        from fpdf.enums import XPos, YPos

        document = FPDF(format="A4")
        document.set_title(self.title)
        document.add_font(FAMILY, "", FONT)
        document.add_page()
        document.set_font(FAMILY, size=15)
        document.multi_cell(0, 8, self.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        document.ln(3)
        document.set_font(FAMILY, size=10.5)
        for label, value in self.fields:
            document.multi_cell(0, 7, f"{label}: {value}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for paragraph in [*self.statements, *([self.footer] if self.footer else [])]:
            document.ln(3)
            document.multi_cell(0, 6, paragraph, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(document.output())
