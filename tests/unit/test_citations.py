"""citations.py: sources numbered as first cited, positions, sanitised text."""

from __future__ import annotations

from claudechat.citations import Footnotes, merged


def web_cite(url: str, title: str = "T") -> dict:
    return {"type": "web_search_result_location", "url": url, "title": title, "encrypted_index": "x",
            "cited_text": "…"}


def test_a_source_cited_twice_keeps_its_number():
    content = [{"type": "text", "text": "A", "citations": [web_cite("https://a/")]},
               {"type": "text", "text": " and B", "citations": [web_cite("https://b/"), web_cite("https://a/")]},
               {"type": "text", "text": "."}]
    notes = Footnotes()
    assert merged(content, notes) == [{"type": "text", "text": "A[1] and B[2][1]."}]
    assert notes.lines() == ["[1] T — https://a/", "[2] T — https://b/"]


def test_document_positions():
    page = {"type": "page_location", "cited_text": "x", "document_index": 1, "document_title": None,
            "start_page_number": 3, "end_page_number": 5}
    chars = {"type": "char_location", "cited_text": "y" * 100, "document_index": 0, "document_title": "n.txt",
             "start_char_index": 10, "end_char_index": 52}
    notes = Footnotes()
    assert notes.mark([page, chars]) == "[1][2]"
    assert notes.lines() == ["[1] document 2, pages 3-4: “x”",
                             "[2] n.txt, characters 10-51: “" + "y" * 79 + "…”"]


def test_outside_text_in_a_source_is_sanitised():
    notes = Footnotes(offset=4, marker="[^{}]")
    assert notes.mark([web_cite("https://a/\x1b]8;;x\x07", "Evil\x1b[2J title")]) == "[^5]"
    assert notes.lines() == ["[5] Evil title — https://a/"]
