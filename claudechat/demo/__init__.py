"""A loopback server of the Claude Messages API and Ace Data Cloud's Chat Completions API: the
server the tests run the real CLI against, and the one `claudechat --demo` starts (tour.py).

Faithful to ``docs/PROTOCOL.md`` and ``docs/API-2026.md``: the same paths, headers, JSON shapes,
SSE framing and event order, error bodies, and the request validation the real
servers do, so end-to-end tests can run the real ``claudechat`` CLI against it.
Standard library only, and nothing of claudechat outside this package: it is an
independent reading of the references, never of what the client sends (its own rule table is
``rules.py``, written apart from ``claudechat/models.py`` on purpose).

Modules: ``scripts`` (Reply, ErrorReply, RawSSE, Drop, Stall, Recorded), ``server``
(FakeServer), ``handler`` (HTTP), ``checks`` and ``media`` (request validation), ``rules`` and
``binding`` (the 2026 rules, preserved thinking), ``cache`` (the prompt cache), ``web`` (web search
and fetch, citations, their 400s: ``Reply(web=[Search(...), Cite(...)])``), ``replies``
(both wire formats, error bodies), ``catalog`` (GET /v1/models), ``tour`` (the demo's replies).

Scripting a test
----------------
::

    with FakeServer(auth="x-api-key", key="sk-test") as server:
        server.enqueue(
            Reply(text="Hi there", thinking="Let me think."),  # 1st POST
            ErrorReply(529, headers={"retry-after": "0"}),      # 2nd POST
            Reply(text=["a", "b"], drop_after=4),               # 3rd POST
        )
        run_cli("--base-url", server.url, ...)
        assert server.requests[0].json["model"] == "claude-sonnet-4-5"

* ``POST /v1/messages`` and ``POST /v1/chat/completions`` take the next scripted
  response from a FIFO (``enqueue``); when it is empty they use the default
  (``set_default``, initially ``Reply()``). A request that fails authentication or
  validation gets its 4xx and does not consume a scripted response.
* ``Reply`` renders as the request asks: SSE when the body has ``"stream": true``,
  else one JSON document; a Messages ``Message`` or a ``chat.completion`` by path.
  Its fault fields (``chunking``, ``line_ending``, ``drop_after``, ``stall_after``,
  ``error_after``, ``delay``, ``extra_events``) apply to streams. Events are
  counted from the first one (``message_start``, or the role chunk) = 1; 0 means
  "right after the response headers".
* ``ErrorReply`` is an HTTP error in ``anthropic``, ``ace``, ``html`` or ``text``
  style; ``RawSSE`` sends bytes verbatim (``RawSSE(fixture_bytes("rich_stream.sse"))``);
  ``Drop`` resets the connection without a response byte; ``Stall`` sends nothing
  until ``release()`` (then the default response) or until the client hangs up.
* ``release()`` lets go of every response whose request arrived before the call,
  including one that has not reached its stall point yet, so calling it right
  after ``wait_for_requests`` is race-free.
* Every request is recorded, in arrival order, in ``server.requests`` (``Recorded``).
* ``GET /v1/models`` (``limit``, ``after_id``, ``before_id``) serves ``models=`` or
  ``default_models()``; ``GET /v1/models/{id}`` one of them; ``model_list=False``: neither
  (the 404 of any unknown path, as a proxy without the list answers);
  ``POST /v1/messages/count_tokens`` answers ``estimate_tokens(body)``.

Validation (400 ``invalid_request_error``; Ace style ``token_mismatched`` when
``auth="bearer"``), as the real API does it: body not JSON; ``model``,
``messages``, ``max_tokens`` missing; roles not alternating or not starting with
user; empty content or empty text blocks; ``tool_result`` ids that don't answer the
previous turn's ``tool_use`` (or unanswered ``tool_use``); a thinking block sent
back without a ``signature`` (``messages.N.content.M.signature: Field required``) or
with a signature this server issued but altered text; a request (count_tokens too)
ending on an assistant message whose content ends in whitespace (``messages: final
assistant content cannot end with trailing whitespace``; both texts as issue 10
reports the real servers answered them); images with a bad media
type, base64, magic bytes, > 5 MB of base64 or > 8000 px (2000 px beyond 20
images); PDFs that aren't; ``temperature``/``top_p``/``top_k`` out of range or sent
with ``anthropic-version`` >= 2026-10-21; ``thinking`` enabled with a budget < 1024
or >= ``max_tokens``, with ``temperature``/``top_k``, ``top_p`` < 0.95 or a forced
tool. Bodies over ``server.max_request_bytes`` (32 MiB) get 413.

The 2026 rules (docs/API-2026.md; the table and checks are in ``rules.py``,
each citing its section, with the documented error texts):

* ``anthropic-beta``: one header, comma-separated; a value not in ``KNOWN_BETAS``
  (§11) gets the §0 400, on every endpoint but Chat Completions.
* Retired models (§1b) get 404 ``not_found_error`` ``model: <id>``.
* Per model (``MODELS``, §1a-§1c, §3, §7; dated ids resolve to the bare id): the
  thinking types (``enabled``/``disabled``/``adaptive`` refused with the §1c texts,
  ``between_tools`` on Sonnet 5.5 only and never with xhigh/max, ``disabled`` on
  Haiku 5.5 and Opus 5 only at effort <= high), ``display`` (not with ``disabled``;
  ``updates`` needs its beta), efforts per model, non-default
  ``temperature``/``top_p``/``top_k`` under 2023-06-01 (``"`temperature` is
  deprecated for this model."``; older models only under thinking), forced
  ``tool_choice`` on Fable 5.x/Opus 5.5/Sonnet 5.5, a final assistant turn (prefill;
  a ``pause_turn`` reply sent back is no prefill), ``role: "system"`` messages and
  their §3 placement. Under 2026-10-21 also a ``document`` in an assistant message
  and user text with ``citations``. A model not in the table keeps the rules above
  (``enabled`` refused for Opus 4.7+/Claude 5 names or when the model list says so).
* ``Reply(thinking=..., unsigned=True)`` streams the thinking block with no signature at
  all (no ``signature`` field in ``content_block_start``, no ``signature_delta``), as
  Ace Data Cloud was seen to (issue 10).
* Thinking display (§1c): on models whose default is ``omitted`` a thinking block
  streams empty (start ``thinking: "", signature: ""``, one empty ``thinking_delta``,
  the ``signature_delta``, stop) unless the request asks ``display: "summarized"``
  (or ``updates``); the Message then has ``thinking: ""``.
* Preserved thinking (§2): a ``Reply`` without ``signature=`` gets an HMAC signature
  (a per-server secret) over its producing model and visible text, and, for models
  that run the prefix check, over the prefix it was written after (top-level
  ``system``, ``tools``, the messages before the reply; ``cache_control``, key order
  and thinking blocks don't count, so removing thinking at the start, the end or all
  of it is no edit). Blocks sent back: a model that can't read the producer's blocks
  drops them silently (§2.1); a signature this server never issued, or altered text,
  gets ``messages.N.content.M: Invalid `signature` in `thinking` block``; a prefix
  that changed gets the §2 "bound to a different conversation" 400 where the current
  model enforces (Fable 5.2 always; Opus 5.5 and Fable 5.1 when
  ``FakeServer(account_created=...)`` >= 2026-08-31, the default being 2026-09-01;
  Sonnet 5.5 and Haiku 5.5, [U] in the reference, always; any checking model when
  the request sets ``thinking.block_binding``). ``prefix_mismatch_behavior:
  "drop_block"`` (with the ``thinking-binding-controls-2026-08-01`` beta; without it
  ``thinking.block_binding: Extra inputs are not permitted``) drops the failing
  block and every later thinking block instead. With that beta header the reply
  carries ``input_transformations`` (on ``message_start.message``, or top level):
  ``thinking_dropped`` (``prefix_binding_mismatch``, ``model_binding_mismatch``) and
  ``thinking_mismatch_allowed``. ``count_tokens`` runs the same check.
* Replies (§5, §9): ``Reply(stop_details=...)`` goes in ``message_delta.delta`` and
  the Message (omitted when None); ``stop_reason`` may be ``refusal``,
  ``pause_turn``, ``model_context_window_exceeded``; ``Reply(fallback={"from",
  "to", "category"})`` puts a ``fallback`` block first (start/stop, no delta) and
  answers as ``to``; ``Reply(blocks=[...])`` adds whole blocks after the text.
  ``ErrorReply`` maps 402 ``billing_error``, 409 ``conflict_error``, 504
  ``timeout_error`` (§10).

Wire details
------------
Streams use ``transfer-encoding: chunked``, one HTTP chunk per write. A complete
stream ends with the terminating chunk and the connection stays alive for the next
request. ``drop_after`` closes the socket mid-body (FIN), which httpx reports as
``RemoteProtocolError`` ("incomplete chunked read") after delivering the events
already sent; ``Drop`` resets (RST) before any response byte. Messages JSON uses
compact separators and Chat Completions JSON ``", "``/``": "`` like the recorded
fixtures; text is raw UTF-8 (so ``chunking="bytes"`` splits characters).
Thinking signatures the server issued are remembered: a later request that sends
one back with altered thinking text gets the API's 400, as the real API does
(explicit ``Reply(signature=...)`` values included).

Standalone: ``python -m claudechat.demo [--port N] [--tour] [--reply TEXT]
[--thinking TEXT [--unsigned]] [--auth bearer|x-api-key|any|none] [--key KEY]`` prints
``http://127.0.0.1:PORT`` on its first line and serves until SIGTERM or SIGINT.
"""


from __future__ import annotations

from claudechat.demo.catalog import default_models, estimate_tokens, model_info
from claudechat.demo.rules import EFFORTS
from claudechat.demo.scripts import DEFAULT_TEXT, Drop, ErrorReply, RawSSE, Recorded, Reply, Response, Stall
from claudechat.demo.server import FakeServer
from claudechat.demo.web import Cite, Fetch, Search

__all__ = [
    "Cite",
    "Fetch",
    "Search",
    "DEFAULT_TEXT",
    "EFFORTS",
    "Drop",
    "ErrorReply",
    "FakeServer",
    "RawSSE",
    "Recorded",
    "Reply",
    "Response",
    "Stall",
    "default_models",
    "estimate_tokens",
    "model_info",
]
