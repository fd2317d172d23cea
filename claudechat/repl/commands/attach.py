"""Commands that attach files and images to the next message, or drop them; the line
that says what was attached (also for @paths and dropped paths in a message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claudechat import attachments
from claudechat.errors import ClaudechatError, ImageTooLarge, UsageError
from claudechat.repl.clipboard import clipboard_image
from claudechat.repl.commands.registry import Outcome, command, unquote
from claudechat.repl.state import ReplState, Typed, choose
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer

RESIZE = "--resize"  # /image --resize PATH: shrink an image over the API's limits


@command("/image [--resize] PATH|URL", "attach an image to the next message (--resize: shrink "
         "it to the API's limits)", completes="path")
def cmd_image(state: ReplState, arg: str, out: Printer) -> Outcome:
    resize, arg = _resize_flag(state, arg)
    if not arg:
        raise UsageError("usage: /image [--resize] PATH or /image https://…")
    if arg.startswith(("http://", "https://")) and resize and not state.settings.resize_images:
        raise UsageError("--resize shrinks image files; a URL goes to the API as it is (the API "
                         "fetches it): drop --resize, or download the image and attach the file")
    attached(out, state.attach(attachments.image_arg(unquote(arg), resize=resize)))


@command("/file [--resize] PATH", "attach a text file, PDF or image to the next message",
         completes="path")
def cmd_file(state: ReplState, arg: str, out: Printer) -> Outcome:
    resize, arg = _resize_flag(state, arg)
    if not arg:
        raise UsageError("usage: /file [--resize] PATH")
    attached(out, state.attach(attachments.file_arg(unquote(arg), resize=resize)))


@command("/paste [--resize]", "attach the image on the clipboard (also Ctrl-V)")
def cmd_paste(state: ReplState, arg: str, out: Printer) -> Outcome:
    resize, arg = _resize_flag(state, arg)
    if arg:
        raise UsageError("usage: /paste [--resize]")
    data = clipboard_image()
    if data is None:
        raise UsageError("no image on the clipboard (needs wl-paste, xclip or pngpaste)")
    attached(out, state.attach(attachments.image_from_bytes(data, "clipboard image", resize=resize)))


@command("/detach [N]", "drop pending attachment N, or all of them")
def cmd_detach(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not state.pending:
        raise UsageError("nothing is attached")
    if not arg:
        state.pending.clear()
        out.say("all attachments dropped")
        return
    index = choose(arg, len(state.pending), "attachment")
    dropped = state.pending.pop(index - 1)
    out.say(f"dropped {sanitize(dropped.label)}")


def _resize_flag(state: ReplState, arg: str) -> tuple[bool, str]:
    """(resize?, the rest): `--resize` before the path, else the resize_images setting."""
    first, _, rest = arg.partition(" ")
    if first == RESIZE:
        return True, rest.strip()
    return state.settings.resize_images, arg


def attached(out: Printer, attachment: attachments.Attachment) -> None:
    out.say(f"attached {sanitize(attachments.describe(attachment))}")


def typed_attached(out: Printer, typed: list[Typed]) -> None:
    """One line per file a message's text attaches, before it is sent, named as written:
    an @path, or a path at the start (which says how to send such a path as text)."""
    for item in typed:
        line = f"attached {attachments.describe(item.attachment, item.path)}"
        if item.dropped:
            line += " — the path your message starts with"
            line += "; start with // to send it as text" if item.path.startswith("/") else ""
        out.say(sanitize(line))


def in_the_chat(exc: ClaudechatError) -> ClaudechatError:
    """The error as the chat says it: an image too large names what works here rather
    than `ask`'s --resize."""
    if not isinstance(exc, ImageTooLarge):
        return exc
    how = ("attach it resized with /image --resize PATH (/paste --resize for the clipboard's), "
           "or start the chat with --resize (or set resize_images = true)")
    return UsageError(exc.message, hint=attachments.resize_hint(how))
