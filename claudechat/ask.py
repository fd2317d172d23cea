"""`claudechat ask`: one prompt, one streamed answer, scriptable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claudechat import signals
from claudechat.errors import ClaudechatError, ExitCode

if TYPE_CHECKING:
    from claudechat.environment import Environment
    from claudechat.options import Options


def run_ask(options: Options, env: Environment) -> ExitCode:
    """One prompt (with its attachments and piped stdin), one reply on stdout."""
    from claudechat.attachments import compose
    from claudechat.render import choose_view
    from claudechat.startup import prepare
    from claudechat.tools.calls import ToolBox, kept_tools_note
    from claudechat.tools.loop import run_with_tools
    from claudechat.web import cite_blocks

    start = prepare(options)
    settings = start.settings
    resize = settings.resize_images if options.resize is None else options.resize
    content = compose(" ".join(options.prompt), files=options.files, images=options.images,
                      stdin=env.piped_stdin(), resize=resize)
    view = choose_view(env, json=options.json, show_thinking=options.show_thinking,
                       thinking_display=settings.thinking_display, idle_timeout=settings.idle_timeout)
    session = start.connect(view.notice)
    view.pricing, view.costing = session.cost_line, session.cost_json  # type: ignore[attr-defined]
    conversation = start.conversation(session, view.notice)
    kept = kept_tools_note(conversation, session.params.tools)
    if kept:
        view.notice(kept)
    left = left_out_line(conversation.unanswered(), start.history.stored)
    content = cite_blocks(content, settings.cite, conversation.turns)  # --cite (web.py)
    conversation.add_user(content)  # sets those aside: the request leaves them out
    _sendable(conversation, session.wire, stream=options.stream)
    if left:
        view.notice(left)
    watch = _cache_watch(start, conversation)
    persist = start.history.recorder(start.save, settings.profile, view.notice)
    box = ToolBox(settings.tool_specs, settings.tool_output_limit, settings.max_tool_rounds,
                  yes=options.yes)
    turn = run_with_tools(conversation, session.client, view, box, AskHooks(view), wire=session.wire,
                          stream=options.stream, persist=persist)
    result = turn.result
    missed = watch.received(result.message)
    if missed:
        view.note(missed)
    for line in stop_notices(result.message, conversation.params.max_tokens,
                             ceiling=session.rules_of(result.message.model).max_output):
        view.notice(line)
    if options.usage and (result.has_content or result.message.usage):
        view.notice(usage_line(result.message, result.elapsed, session.cost_line(result.message)))
    if result.output_closed:  # `| head` had enough: not an error
        env.quiet_stdout()
        return ExitCode.OK
    if result.error is not None:
        raise result.error
    if turn.stopped == "confirm":
        names = ", ".join(dict.fromkeys(c.name for c in turn.calls or ()))
        raise ClaudechatError(f"not run: the model asked to run {names}, which asks for a confirmation "
                              f"first", hint="run again with --yes to let it (or set confirm = false in "
                              "its [tools.NAME] table)")
    if result.interrupted:
        return signals.exit_code() or ExitCode.INTERRUPTED
    return ExitCode.OK


def _sendable(conversation: Any, wire: Any, *, stream: bool) -> None:
    """The request built once before anything is kept: what this wire format or model
    cannot carry (a PDF over Chat Completions…) is refused with nothing in the history
    (run_turn keeps the question before it sends)."""
    params, _ = conversation.params.checked()  # run_turn says its warnings
    wire.build_body(conversation, params, stream=stream, allow_trailing_assistant=False)


class AskHooks:
    """The tool loop in `ask`: nothing is asked (a call that wants a yes stops the turn, its
    request printed), and what each run gave is one line on stderr: stdout holds only
    the answer."""

    def __init__(self, view: Any) -> None:
        self.view = view

    def decide(self, call: Any, spec: Any) -> Any:
        import json

        from claudechat.tools.loop import Decision

        raw = call.invalid_json
        shown = raw if raw is not None else json.dumps(call.input, ensure_ascii=False)
        self.view.notice(f"the model asks to run {call.name} with {shown}")
        return Decision("stop")

    def ran(self, call: Any, text: str, is_error: bool, summary: str) -> None:
        self.view.note(f"tool {call.name} {'failed' if is_error else 'ran'}: {summary}")

    def note(self, text: str) -> None:
        self.view.notice(text)


def left_out_line(left: list[Any], stored: Any) -> str | None:
    """The line that says which stored questions without a reply this request leaves out
    (the continued conversation ends on them): when, and the first words of the last."""
    if not left:
        return None
    from claudechat.conversation import shorten_title, title_of
    from claudechat.history.transcript import short_time

    last = left[-1]
    at = next((i for i, turn in enumerate(stored.turns) if turn is last), None) if stored else None
    when = f" from {short_time(stored.times[at])}" if at is not None else ""
    words = shorten_title(title_of([last]), 40)
    what = "your unanswered question" if len(left) == 1 else \
        f"your {len(left)} unanswered questions, the last"
    return f"left out {what}{when}: '{words}' (kept in the history, marked unanswered)"


def _cache_watch(start: Any, conversation: Any) -> Any:
    """The cache watch for this turn: it knows the continued conversation's last reply."""
    from claudechat.cache_health import CacheWatch

    stored = start.history.stored
    watch = CacheWatch.resuming(conversation, stored.times if stored else [])
    watch.sending(conversation)
    return watch


def stop_notices(message: Any, max_tokens: int, *, chat: bool = False,
                 ceiling: int | None = None) -> list[str]:
    """The line a stop reason needs (docs/API-2026.md §5), for `ask` or the chat (`chat`);
    `ceiling`: the most the model writes in one reply, which more room cannot pass."""
    reason = message.stop_reason
    if reason == "max_tokens":
        cut = f"the reply was cut off at max_tokens ({max_tokens:,})"
        if ceiling is not None and max_tokens >= ceiling:
            return [f"{cut}, the most {message.model or 'the model'} writes in one reply; "
                    f"ask it to go on where it stopped, or for a shorter answer"]
        room = min(max_tokens * 2, ceiling or max_tokens * 2)
        more = f"/set max_tokens {room}" if chat else f"--max-tokens {room}"
        return [f"{cut}; ask for more room with {more}"]
    if reason == "stop_sequence" and message.stop_sequence is not None:
        return [f"the reply stopped at the stop sequence {message.stop_sequence!r}"]
    if reason == "refusal":
        return [refusal_line(getattr(message, "stop_details", None), chat=chat)]
    if reason == "model_context_window_exceeded":
        model = message.model or "the model"
        fresh = "/new starts a fresh one" if chat else "start a fresh one (without -c)"
        switch = "/model NAME" if chat else "--model NAME"
        return [f"the conversation is too long for {model}'s context window; {fresh}, or switch "
                f"to a model with a larger window ({switch})"]
    return []


def refusal_line(details: Any, *, chat: bool) -> str:
    """The model declined: why (category, explanation from stop_details) and what to do."""
    details = details if isinstance(details, dict) else {}
    category, explanation = details.get("category"), details.get("explanation")
    why = f" ({category})" if category else ""
    said = f": {' '.join(str(explanation).split())}" if explanation else ""
    other = details.get("recommended_model")
    switch = (f"/model {other}" if chat else f"--model {other}") if other else \
        ("/model NAME" if chat else "--model NAME")
    kept = ("this exchange stays in the history but is not sent back; " if chat
            else "the reply so far is incomplete; ")
    return f"declined{why}{said} — {kept}rephrase the request, or try another model ({switch})"


def usage_line(message: Any, elapsed: float, cost: str | None = None) -> str:
    from claudechat.render.view import token_counts

    parts = token_counts(message.usage)
    stop = message.stop_reason or "none (incomplete)"
    if cost and not message.stop_reason:  # cut short: the final usage never came
        cost = f"at least {cost}"
    priced = f"cost: {cost} · " if cost else ""
    return f"tokens: {', '.join(parts)} · {priced}stop: {stop} · {elapsed:.2f} s"
