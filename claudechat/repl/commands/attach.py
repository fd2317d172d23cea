"""Commands that attach files and images to the next message, or drop them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claudechat import attachments
from claudechat.errors import UsageError
from claudechat.repl.clipboard import clipboard_image
from claudechat.repl.commands.registry import Outcome, command, unquote
from claudechat.repl.state import ReplState, choose
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer



@command("/image PATH|URL", "attach an image to the next message", completes="path")
def cmd_image(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /image PATH or /image https://…")
    attached(out, state.attach(attachments.image_arg(unquote(arg), resize=state.settings.resize_images)))


@command("/file PATH", "attach a text file or PDF to the next message", completes="path")
def cmd_file(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /file PATH")
    attached(out, state.attach(attachments.file_arg(unquote(arg), resize=state.settings.resize_images)))


@command("/paste", "attach the image on the clipboard (also Ctrl-V)")
def cmd_paste(state: ReplState, arg: str, out: Printer) -> Outcome:
    data = clipboard_image()
    if data is None:
        raise UsageError("no image on the clipboard (needs wl-paste, xclip or pngpaste)")
    attached(out, state.attach(attachments.image_from_bytes(data, "clipboard image",
                                                             resize=state.settings.resize_images)))


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



def attached(out: Printer, attachment: attachments.Attachment) -> None:
    out.say(f"attached {sanitize(attachment.label)}")

