"""redaction.py: what counts as a secret, where it is found (wrapped, styled, split across
writes), and the guarded stream that every line printed passes through."""

from __future__ import annotations

import base64
import io

from claudechat import redaction
from claudechat.redaction import Guarded, add_key, add_url, redact

KEY = "sk-ant-api03-UNITtestKEY-0123456789abcdef"


def test_a_registered_key_is_masked_in_each_form_it_is_printed_in():
    add_key(KEY)
    b64 = base64.b64encode(KEY.encode()).decode()
    assert redact(f"x-api-key {KEY}.") == "x-api-key <redacted>."
    assert redact(f"authorization: Bearer {KEY}") == "authorization: Bearer <redacted>"
    assert redact(f"Basic {b64}") == "Basic <redacted>"


def test_a_key_with_a_newline_is_masked_whole_in_parts_and_escaped():
    add_key("sk-ant-first-part\nsecond-part-of-it")
    assert redact("Illegal header value b'sk-ant-first-part\\nsecond-part-of-it'") == \
        "Illegal header value b'<redacted>'"
    assert redact("got sk-ant-first-part only") == "got <redacted> only"


def test_short_strings_are_no_secrets():
    add_key("demo")
    assert redact("the demo profile") == "the demo profile"


def test_a_key_wrapped_or_styled_by_rich_is_masked_keeping_its_line_breaks_and_styles():
    add_key(KEY)
    wrapped = f"Your key: {KEY[:20]}\n{KEY[20:]} ok"
    assert redact(wrapped) == "Your key: <redacted>\n ok"
    styled = f"{KEY[:10]}\x1b[1m{KEY[10:]}\x1b[0m"
    assert redact(styled) == "<redacted>\x1b[1m\x1b[0m"


def test_a_url_password_is_masked_known_or_not():
    assert redact("see http://me:hunter2@proxy.lan/v1") == "see http://me:<redacted>@proxy.lan/v1"
    add_url("https://me:long-password-1@proxy.lan")
    assert redact("the password long-password-1 alone") == "the password <redacted> alone"
    basic = base64.b64encode(b"me:long-password-1").decode()
    assert redact(f"Basic {basic}") == "Basic <redacted>"


def test_the_guarded_stream_keeps_back_what_may_start_a_key_until_the_next_write():
    add_key(KEY)
    out = io.StringIO()
    stream = Guarded(out)
    stream.write("abc " + KEY[:12])
    stream.flush()
    assert out.getvalue() == "abc "
    stream.write(KEY[12:] + " end\n")
    assert out.getvalue() == "abc <redacted> end\n"
    stream.write("its start: " + KEY[:5])
    stream.release()  # the end of output: no key followed
    assert out.getvalue().endswith("its start: " + KEY[:5])


def test_the_guarded_stream_is_the_stream_for_everything_else():
    out = io.StringIO()
    stream = Guarded(out)
    assert stream.getvalue() == "" and stream.writable()
    redaction.forget()
    assert stream.write("plain") == 5 and out.getvalue() == "plain"


def test_what_is_stored_loses_the_known_secrets_but_keeps_a_reply_s_example_url():
    add_key(KEY)
    reply = f"Use redis://:example-pass@cache:6379 and never paste {KEY}."
    assert redaction.kept(reply) == "Use redis://:example-pass@cache:6379 and never paste <redacted>."
    assert redact(reply) == "Use redis://:<redacted>@cache:6379 and never paste <redacted>."
