"""`claudechat ask`: one question, one streamed answer."""

from __future__ import annotations

from typing import Annotated

import typer

from claudechat.cli.app import (
    BaseUrl,
    Cid,
    Cite,
    Continue,
    Debug,
    Demo,
    Effort,
    MaxTokens,
    Model,
    Plain,
    Profile,
    Resize,
    Save,
    System,
    Think,
    ThinkingBudget,
    Tool,
    ToolChoice,
    Web,
    app,
    environment,
)

# Options only ask takes.
Prompt = Annotated[list[str] | None,
                   typer.Argument(metavar="PROMPT...", help="The prompt (words are joined).")]
Temperature = Annotated[float | None, typer.Option(
    "--temperature", "-t", metavar="X", help="Randomness, 0 to 1 (older models only; else --effort).")]
TopP = Annotated[float | None, typer.Option(
    "--top-p", metavar="X", help="Nucleus sampling (older models only).")]
TopK = Annotated[int | None, typer.Option(
    "--top-k", metavar="N", help="Sample from the top K (older models only).")]
Stop = Annotated[list[str] | None, typer.Option("--stop", metavar="TEXT", help="Stop sequence (repeatable).")]
Files = Annotated[list[str] | None, typer.Option("--file", "-f", metavar="PATH",
                                                 help="Attach a text file or PDF (repeatable; - is stdin).")]
Images = Annotated[list[str] | None, typer.Option("--image", "-i", metavar="PATH|URL",
                                                  help="Attach an image file or URL (repeatable).")]
NoStream = Annotated[bool, typer.Option("--no-stream", help="Wait for the whole reply.")]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the final Message object as JSON.")]
ShowThinking = Annotated[bool, typer.Option("--show-thinking", help="Print the thinking (to stderr).")]
Yes = Annotated[bool, typer.Option(
    "--yes", "-y", help="Run the tools the model calls without asking (else ask stops at the first).")]
Usage = Annotated[bool,
                  typer.Option("--usage", help="Print token usage, stop reason and time (to stderr).")]


@app.command()
def ask(
    prompt: Prompt = None,
    model: Model = None,
    system: System = None,
    profile: Profile = None,
    max_tokens: MaxTokens = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    top_k: TopK = None,
    stop: Stop = None,
    think: Think = None,
    thinking_budget: ThinkingBudget = None,
    effort: Effort = None,
    web: Web = None,
    cite: Cite = None,
    files: Files = None,
    images: Images = None,
    resize: Resize = None,
    no_stream: NoStream = False,
    json_out: JsonOut = False,
    show_thinking: ShowThinking = False,
    usage: Usage = False,
    plain: Plain = False,
    base_url: BaseUrl = None,
    debug: Debug = False,
    continue_last: Continue = False,
    cid: Cid = None,
    save: Save = None,
    tool: Tool = None,
    tool_choice: ToolChoice = None,
    yes: Yes = False,
    demo: Demo = False,
) -> None:
    """Ask one question and stream the answer to stdout."""
    from claudechat.ask import run_ask
    from claudechat.options import Options

    env = environment(plain=plain, debug=debug)
    options = Options(
        prompt=prompt or [], files=files or [], images=images or [], resize=resize,
        show_thinking=show_thinking, usage=usage, plain=plain, model=model, system=system,
        profile=profile, max_tokens=max_tokens,
        temperature=temperature, top_p=top_p, top_k=top_k, stop=stop or [], think=think,
        thinking_budget=thinking_budget, effort=effort, stream=not no_stream, json=json_out,
        base_url=base_url, debug=env.debug, continue_last=continue_last, cid=cid, save=save,
        web=web, cite=cite, tools=tool or [], tool_choice=tool_choice, yes=yes,
    )
    if not demo:
        raise typer.Exit(int(run_ask(options, env)))
    from claudechat.cli.demo import demo as demo_session

    with demo_session(options) as options:
        code = run_ask(options, env)
    raise typer.Exit(int(code))
