"""The /stats mastery chart as a PNG, drawn with Pillow. Blocking: call it in a thread. The message always
carries the same figures as text, so a chart that cannot be drawn loses nothing."""
from __future__ import annotations

import io
import logging

from PIL import Image, ImageDraw, ImageFont

from quiz.mastery import SectionMastery

log = logging.getLogger(__name__)

MAX_ROWS = 12
_WIDTH, _ROW, _LABEL, _BAR = 760, 26, 330, 330


def mastery_png(rows: list[SectionMastery]) -> bytes | None:
    """Predicted recall per seen section, weakest first, as horizontal bars; None when nothing was seen
    or drawing failed (logged)."""
    seen = [r for r in rows if r.recall is not None][:MAX_ROWS]
    if not seen:
        return None
    try:
        font = ImageFont.load_default()
        image = Image.new("RGB", (_WIDTH, 40 + _ROW * len(seen)), "white")
        draw = ImageDraw.Draw(image)
        draw.text((10, 10), "Predicted recall now, weakest sections first", fill="black", font=font)
        for i, row in enumerate(seen):
            top = 36 + i * _ROW
            recall = row.recall or 0.0
            label = row.section if len(row.section) <= 48 else row.section[:47] + "…"
            draw.text((10, top + 5), label, fill="black", font=font)
            draw.rectangle((_LABEL, top + 3, _LABEL + _BAR, top + _ROW - 5), outline="#cccccc")
            colour = "#d9534f" if recall < 0.5 else "#f0ad4e" if recall < 0.8 else "#5cb85c"
            draw.rectangle((_LABEL, top + 3, _LABEL + int(_BAR * recall), top + _ROW - 5), fill=colour)
            draw.text((_LABEL + _BAR + 10, top + 5), f"{recall:.0%}  {row.correct}/{row.answered} right",
                      fill="black", font=font)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    except (OSError, ValueError) as exc:
        log.warning("could not draw the mastery chart (the text has the same figures): %s", exc)
        return None
