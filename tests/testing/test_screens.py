"""The README's pictures are drawn from the payloads the bot sent: the drawing shows what they hold."""
from __future__ import annotations

from testing.screens import WIDTH, plain, render


def test_markup_is_shown_as_a_reader_sees_it():
    assert plain("**Where:** <t:1700000000:F> \\*not bold\\*") == "Where: 1700000000 *not bold*"


def test_a_reply_is_drawn_with_its_colour_bar_text_and_buttons():
    one = {"embeds": [{"title": "T", "description": "line", "color": 0xED4245}]}
    longer = {"embeds": [{"title": "T", "description": "word " * 200, "color": 0x8B1E1E,
                          "fields": [{"name": "Cite as", "value": "x"}], "footer": {"text": "#3"}}],
              "components": [{"type": 1, "components": [{"type": 2, "label": "Cite"}]}]}
    small, big = render(one, "doc id:3"), render(longer, "doc id:3")
    assert small.width == big.width == WIDTH and big.height > small.height + 100
    assert small.getpixel((26, small.height // 2)) == (0xED, 0x42, 0x45)  # the embed's own colour, at its left
    assert big.getpixel((26, big.height // 2)) == (0x8B, 0x1E, 0x1E)


def test_emoji_the_font_lacks_are_drawn_as_shapes_it_has():
    assert plain("⏮ First · Last ⏭") == "|◀ First · Last ▶|"
