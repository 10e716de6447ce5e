import io

from PIL import Image

from bot import charts
from bot.messages import render_mastery
from quiz.mastery import SectionMastery

ROWS = [SectionMastery("3.2 SageMaker built-in algorithms", 20, 4, 5, 2, 0.41),
        SectionMastery("1.4 Kinesis data firehose", 8, 2, 2, 2, 0.93),
        SectionMastery("7. Security", 6, 0, 0, 0, None)]


def test_the_chart_is_a_png_with_a_bar_per_seen_section():
    png = charts.mastery_png(ROWS)
    assert png is not None
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (760, 40 + 26 * 2)


def test_nothing_seen_gives_no_chart_and_says_so():
    assert charts.mastery_png([ROWS[2]]) is None
    assert render_mastery([ROWS[2]]) == "No section practised yet: `/quiz` starts one."


def test_a_chart_that_cannot_be_drawn_loses_nothing(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("no font")

    monkeypatch.setattr(charts.ImageFont, "load_default", broken)
    assert charts.mastery_png(ROWS) is None
    assert "could not draw the mastery chart" in caplog.text
    text = render_mastery(ROWS)  # the figures are all in the text
    assert "`████░░░░░░` 41% 3.2 SageMaker built-in algorithms · 2/5 right · 4 of 20 seen" in text
    assert "Not practised yet: 7. Security." in text
