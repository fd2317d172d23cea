"""What a typed message attaches, and how the user sees it (issue 10, items 7-9; README
"The chat", "Attachments"): the real `claudechat` on a pseudo-terminal against the
loopback fake server. Every file the text attaches (an @path, a path a terminal's
drag-and-drop put at the start) is one line naming it, its kind and size, before the
reply; `//` sends a /path as text with nothing attached; @folder says it is a folder;
Tab keeps a quoted folder open; an image too large says what works in the chat, and
/image --resize or `claudechat --resize` sends it resized.
"""

from __future__ import annotations

import base64
import io

from helpers.fake_server import Reply
from helpers.images import PDF, plain_png, png
from helpers.received import posts, texts, wait_for_bodies
from PIL import Image


def squashed(text: str) -> str:
    """Text without whitespace: a long line wraps on the 100-column screen."""
    return "".join(text.split())


def shown(term, text: str) -> int:
    """Where `text` starts in the screen's text (squashed), or -1."""
    return squashed(term.text()).find(squashed(text))


def wait_shown(term, text: str) -> None:
    term.wait(lambda: shown(term, text) >= 0, repr(text))


def image_sizes(message: dict) -> list[tuple[int, int]]:
    """The pixel sizes of a message's base64 images, as the server received them."""
    return [Image.open(io.BytesIO(base64.b64decode(b["source"]["data"]))).size
            for b in message["content"] if b.get("type") == "image"]


# -- item 7: every attachment from typed text is a line before the reply; // is text -------------


def test_a_double_slash_sends_a_path_as_text_and_attaches_nothing(server, spawn, tmp_path):
    notes = tmp_path / "passwd"
    notes.write_text("root:x:0:0\n", "utf-8")
    term = spawn()
    term.say(f"/{notes} is a path")  # `//tmp/…`: the escape, then the path
    term.wait_prompt(after="end_turn")
    [body] = wait_for_bodies(server, 1)
    assert body["messages"][-1]["content"] == [{"type": "text", "text": f"{notes} is a path"}]
    assert "attached" not in term.text()


def test_a_dropped_path_is_attached_with_a_line_before_the_reply(server, spawn, tmp_path):
    server.enqueue(Reply(text="It is a user list."))
    notes = tmp_path / "passwd"
    notes.write_text("x" * 3200, "utf-8")
    term = spawn()
    term.say(f"{notes} is a path")  # as a drag-and-drop types it, or as someone might write it
    term.wait_prompt(after="end_turn")
    line = f"attached {notes} (text, 3.2 kB) — the path your message starts with; " \
           f"start with // to send it as text"
    assert 0 <= shown(term, line) < shown(term, "It is a user list.")
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert 'name="passwd"' in content[0]["text"] and content[1] == {"type": "text", "text": "is a path"}


def test_each_at_path_is_a_line_with_its_kind_and_size_before_the_reply(server, spawn, tmp_path):
    server.enqueue(Reply(text="Three things."))
    (tmp_path / "notes.txt").write_text("n" * 1500, "utf-8")
    picture = png(2, 2)
    (tmp_path / "dot.png").write_bytes(picture)
    (tmp_path / "paper.pdf").write_bytes(PDF)
    term = spawn()
    term.say(f"compare @{tmp_path}/notes.txt @{tmp_path}/dot.png and @{tmp_path}/paper.pdf")
    term.wait_prompt(after="end_turn")
    lines = [f"attached {tmp_path}/notes.txt (text, 1.5 kB)",
             f"attached {tmp_path}/dot.png (image/png, {len(picture)} bytes)",
             f"attached {tmp_path}/paper.pdf (PDF, {len(PDF)} bytes)"]
    where = [shown(term, line) for line in lines]
    assert 0 <= where[0] < where[1] < where[2] < shown(term, "Three things."), where
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["text", "image", "document", "text"]


# -- item 8: a folder ---------------------------------------------------------------------------


def test_an_at_folder_says_it_is_a_folder_and_the_message_comes_back(server, spawn, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("inside\n", "utf-8")
    typed = f"summarise @{tmp_path}/docs"
    term = spawn()
    term.say(typed)
    term.wait_prompt(after="Tab lists", typed=typed)
    assert shown(term, f"@{tmp_path}/docs is a directory, not a file: attach files from it with "
                       f"@{tmp_path}/docs/NAME (Tab lists them)") >= 0
    assert "no such file" not in term.text()
    assert posts(server) == []


def test_tab_on_a_quoted_folder_keeps_the_quote_open_to_go_into_it(server, spawn, tmp_path):
    folder = tmp_path / "dir with space"
    folder.mkdir()
    (folder / "inner.txt").write_text("found me\n", "utf-8")
    term = spawn(cols=160)
    term.send(f'read @"{tmp_path}/dir w\t')
    term.wait(lambda: term.lines()[term.cursor_row()].endswith("dir with space/"), "the folder, quote open")
    term.send("\t")
    term.wait_text(f'read @"{folder}/inner.txt"')
    term.send("\r")
    term.wait_prompt(after="end_turn")
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert "found me" in content[0]["text"]
    assert content[1]["text"] == f'read @"{folder}/inner.txt"'


# -- item 9: an image too large -------------------------------------------------------------------


def test_an_oversized_image_names_what_works_in_the_chat_and_image_resize_sends_it(server, spawn,
                                                                                  tmp_path):
    wide = plain_png(tmp_path / "wide.png", (9000, 40))
    term = spawn()
    term.say(f"what is @{wide}")
    term.wait_prompt(after="resize_images", typed=f"what is @{wide}")
    advice = ("wide.png: the image is 9000×40 px, over the API's 8000 px — shrink it, or attach it "
              "resized with /image --resize PATH (/paste --resize for the clipboard's), or start the "
              "chat with --resize (or set resize_images = true)")
    assert shown(term, advice) >= 0
    assert "pip install" not in term.text()  # Pillow is installed here
    assert posts(server) == []
    term.send("\x15")  # Ctrl-U: clear the line given back
    term.say(f"/image --resize {wide}")
    term.wait_prompt(after="resized to")
    # no transparency: sent as JPEG (README, "claudechat ask": resized images)
    assert shown(term, f"attached {wide} (image/jpeg,") >= 0 and shown(term, "resized to 1568×7 px)") >= 0
    term.say("and now?")
    term.wait_prompt(after="end_turn")
    assert image_sizes(wait_for_bodies(server, 1)[0]["messages"][-1]) == [(1568, 7)]


def test_without_pillow_the_advice_says_how_to_install_it(server, spawn, tmp_path):
    no_pillow = tmp_path / "no-pillow" / "PIL"
    no_pillow.mkdir(parents=True)
    (no_pillow / "__init__.py").write_text("raise ImportError('No module named PIL')\n")
    wide = plain_png(tmp_path / "wide.png", (9000, 40))
    term = spawn(PYTHONPATH=str(no_pillow.parent))
    term.say(f"/image {wide}")
    term.wait_prompt(after="claudechat[images]")
    assert shown(term, "(resizing needs Pillow: pip install 'claudechat[images]')") >= 0


def test_the_chat_started_with_resize_sends_an_oversized_at_path_resized(server, spawn, tmp_path):
    server.enqueue(Reply(text="A wide strip."))
    wide = plain_png(tmp_path / "wide.png", (9000, 40))
    term = spawn("--resize")
    term.say(f"what is @{wide}")
    term.wait_prompt(after="end_turn")
    assert 0 <= shown(term, "resized to 1568×7 px)") < shown(term, "A wide strip.")
    message = wait_for_bodies(server, 1)[0]["messages"][-1]
    assert image_sizes(message) == [(1568, 7)] and texts(message) == [f"what is @{wide}"]
