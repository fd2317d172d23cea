"""Tools the API runs (issue 12, docs/API-2026.md §5, §6) through the real CLI: web search and
fetch, pause_turn, citations as footnotes, document citations with --cite, the search's cost.

The fake server plays the model's searches (Reply(web=[Search, Fetch, Cite, str])) and, as the
API does, refuses a follow-up whose encrypted values or server-tool blocks came back changed."""

from __future__ import annotations

import re

from helpers.cli import run_cli
from helpers.fake_server import Cite, Fetch, Reply, Search
from helpers.images import PDF
from helpers.pty_terminal import run_pty
from helpers.received import posts, wait_for_bodies

CATS = "https://cats.example/a"
SEARCH = Search("cats", results=[("All about cats", CATS), ("Dogs", "https://dogs.example/")])
CITED = [SEARCH, "Cats are ", Cite("great pets", url=CATS), "."]


def ask(env: dict[str, str], *args: str):
    return run_cli(env, "ask", *args, timeout=30)


def test_a_search_on_a_pipe_is_the_answer_with_markers_and_its_sources_on_stdout(env, server):
    server.enqueue(Reply(web=CITED, text=""))
    result = ask(env, "--web", "what about cats?")
    assert result.code == 0, result
    assert result.out.decode() == ("Cats are great pets[1].\n"
                                   "\n"
                                   "[1] All about cats — https://cats.example/a\n")
    assert "claudechat: web search “cats”: 2 results" in result.err_lines
    body = posts(server)[0].json
    assert body["tools"] == [{"type": "web_search_20250305", "name": "web_search"},
                             {"type": "web_fetch_20250910", "name": "web_fetch"}]
    assert "tool_choice" not in body


def test_the_follow_up_sends_every_server_block_back_unchanged(env, server):
    server.enqueue(Reply(web=CITED, text=""), Reply(text="Yes."))
    assert ask(env, "--web", "what about cats?").code == 0
    again = ask(env, "--web", "-c", "and more?")
    assert again.code == 0, again  # the server refuses changed encrypted values with a 400
    first, second = wait_for_bodies(server, 2)
    assert second["tools"] == first["tools"]
    sent = second["messages"][1]["content"]
    assert [b["type"] for b in sent] == ["server_tool_use", "web_search_tool_result", "text", "text", "text"]
    assert sent[0]["input"] == {"query": "cats"}
    results = sent[1]["content"]
    assert [r["url"] for r in results] == [CATS, "https://dogs.example/"]
    assert all(server.issued.content[r["encrypted_content"]] == r["url"] for r in results)
    [citation] = sent[3]["citations"]
    assert citation["type"] == "web_search_result_location" and citation["cited_text"] == "great pets"
    assert server.issued.index[citation["encrypted_index"]] == CATS
    assert sent[2] == {"type": "text", "text": "Cats are "}


def test_a_continued_conversation_keeps_web_on_and_off_is_tool_choice_none(env, server):
    server.enqueue(Reply(web=CITED, text=""), Reply(web=[SEARCH, "Searched again."], text=""),
                   Reply(web=[Search("more cats")], text="From memory."))
    assert ask(env, "--web", "what about cats?").code == 0
    kept = ask(env, "-c", "and again?")  # the conversation's setting: web stays on
    assert kept.code == 0 and "claudechat: web search “cats”: 2 results" in kept.err_lines, kept
    off = ask(env, "-c", "--no-web", "and without searching?")
    assert off.code == 0, off
    first, second, third = wait_for_bodies(server, 3)
    assert first["tools"] == second["tools"] == third["tools"] and "tool_choice" not in second
    assert third["tool_choice"] == {"type": "none"}
    assert off.out.decode() == "From memory.\n"  # the model could not search
    assert "web search" not in off.err


def test_pause_turn_is_continued_with_the_paused_turn_last_and_unchanged(env, server):
    server.enqueue(Reply(web=[SEARCH], text="", stop_reason="pause_turn"),
                   Reply(web=["Cats are ", Cite("great pets", url=CATS), "."], text=""))
    result = ask(env, "--web", "what about cats?")
    assert result.code == 0, result
    assert result.out.decode() == "Cats are great pets[1].\n\n[1] All about cats — https://cats.example/a\n"
    assert any("paused" in line and "continuing (1 of" in line for line in result.err_lines), result.err
    first, second = wait_for_bodies(server, 2)
    assert second["messages"][:-1] == first["messages"]
    paused = second["messages"][-1]
    assert paused["role"] == "assistant"
    assert [b["type"] for b in paused["content"]] == ["server_tool_use", "web_search_tool_result"]


def test_the_search_count_and_its_cost_are_in_the_usage_line(env, server):
    server.enqueue(Reply(web=[SEARCH, Search("kittens", results=[("Kittens", "https://k.example/")]),
                              "Both say so."], text=""))
    result = ask(env, "--web", "--usage", "--model", "claude-opus-5-5", "cats and kittens?")
    assert result.code == 0, result
    usage = result.err_lines[-1]
    # §6: $10 per 1,000 searches: two searches are $0.0200 on top of the tokens
    assert "2 searches" in usage and "(searches $0.0200)" in usage, usage


def test_web_fetch_opens_a_url_from_the_conversation_and_not_another(env, server):
    page = "https://docs.example/guide"
    server.enqueue(Reply(web=[Fetch(page, text="The guide.", title="The Guide"), "Read."], text=""),
                   Reply(web=[Fetch("https://elsewhere.example/"), "Could not."], text=""))
    allowed = ask(env, "--web", f"summarise {page}")
    assert allowed.code == 0, allowed
    assert f"claudechat: web fetch {page}: “The Guide”" in allowed.err_lines
    refused = ask(env, "--web", "-c", "and the other site?")
    assert refused.code == 0, refused
    assert "claudechat: web fetch https://elsewhere.example/ failed: url_not_in_prior_context" \
        in refused.err_lines


def test_cite_sends_citable_documents_and_lists_pages_and_characters(env, server, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Cats sleep sixteen hours a day.\n", "utf-8")
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    server.enqueue(Reply(web=["They sleep a lot", Cite(".", document=0, quote="sixteen hours"),
                              " and purr", Cite(".", document=1, quote="purring", page=2)], text=""))
    result = ask(env, "--cite", "-f", str(notes), "-f", str(paper), "how do cats live?")
    assert result.code == 0, result
    assert result.out.decode() == ("They sleep a lot.[1] and purr.[2]\n"
                                   "\n"
                                   "[1] notes.txt, characters 11-23: “sixteen hours”\n"
                                   "[2] document 2, page 2: “purring”\n")
    documents = posts(server)[0].json["messages"][0]["content"][:2]
    assert documents[0] == {"type": "document", "title": "notes.txt", "citations": {"enabled": True},
                            "source": {"type": "text", "media_type": "text/plain",
                                       "data": "Cats sleep sixteen hours a day.\n"}}
    assert documents[1]["citations"] == {"enabled": True}
    assert documents[1]["source"]["media_type"] == "application/pdf"


def test_without_cite_documents_are_not_citable_and_a_mixed_conversation_is_refused(env, server, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Cats sleep sixteen hours a day.\n", "utf-8")
    server.enqueue(Reply(web=["They sleep", Cite(" a lot.", document=0, quote="sixteen")], text=""))
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    plain = ask(env, "-f", str(paper), "how do cats live?")
    assert plain.out.decode() == "They sleep a lot.\n"  # no citations asked for: none came
    assert "citations" not in posts(server)[0].json["messages"][0]["content"][0]
    mixed = ask(env, "--cite", "-c", "-f", str(notes), "again, citing")
    assert mixed.code != 0 and len(posts(server)) == 1
    [line] = mixed.err_lines
    assert "all of a request's documents or on none" in line and "leave out --cite" in line


def test_history_export_gives_citations_as_markdown_footnotes(env, server):
    server.enqueue(Reply(web=CITED, text=""))
    assert ask(env, "--web", "what about cats?").code == 0
    exported = run_cli(env, "history", "export", "last").out.decode()
    assert "Cats are great pets[^1].\n" in exported
    assert "[^1]: All about cats — https://cats.example/a\n" in exported
    assert "[web search: 2 results]" in exported


def test_the_sources_are_osc8_links_on_a_terminal_and_outside_links_are_stripped(env, server):
    evil = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
    server.set_default(Reply(web=[SEARCH, f"Cats {evil} are ", Cite("great pets", url=CATS), "."], text=""))
    shown = run_pty(env, "--web", "cats?")
    assert shown.code == 0, shown
    assert "\x1b]8;id=" in shown.out and f";{CATS}\x1b\\" in shown.out  # ours: the source's link
    assert "evil.example" not in shown.out  # theirs: removed, its text shown plain
    assert "click" in shown.out and "great pets[1]" in shown.out
    for changes in ({"TERM": "dumb"}, {"NO_COLOR": "1"}):
        plain = run_pty({**env, **changes}, "--web", "cats?")
        assert "\x1b]8" not in plain.out and "[1] All about cats — https://cats.example/a" in plain.out
    piped = run_pty(env, "--web", "cats?", stdout_tty=False)
    # a pipe gets the reply as received (PlainView); the sources are plain text, never a link of ours
    assert piped.out.endswith("\n\n[1] All about cats — https://cats.example/a\n")
    assert "]8;id=" not in piped.out


def test_config_web_tables_go_into_the_tools_and_both_domain_lists_are_refused(env, server, config):
    toml = ('web = true\n[web_search]\nmax_uses = 3\nallowed_domains = ["cats.example"]\n'
            'user_location = { city = "Berlin", country = "DE", timezone = "Europe/Berlin" }\n'
            '[web_fetch]\nenabled = false\n')
    result = ask(config(env, toml), "cats?")
    assert result.code == 0, result
    assert posts(server)[0].json["tools"] == [
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 3,
         "allowed_domains": ["cats.example"],
         "user_location": {"type": "approximate", "city": "Berlin", "country": "DE",
                           "timezone": "Europe/Berlin"}}]
    both = ask(config(env, toml.replace("max_uses = 3", 'max_uses = 3\nblocked_domains = ["dogs.example"]')),
               "cats?")
    assert both.code != 0 and len(posts(server)) == 1
    [line] = both.err_lines
    assert "[web_search]" in line and "not both" in line
    country = ask(config(env, toml.replace('"DE"', '"de"')), "cats?")
    assert country.code != 0 and "two-letter ISO code" in country.err


def test_web_search_on_chat_completions_is_refused_in_one_line(ace, chat_env):
    result = run_cli(chat_env, "ask", "--profile", "ace", "--web", "cats?")
    assert result.code != 0 and posts(ace, "/v1/chat/completions") == []
    [line] = result.err_lines
    assert "web search is a tool of the Messages API" in line and "leave out --web" in line


# -- the chat ----------------------------------------------------------------------------------


def test_the_chat_shows_the_search_the_markers_the_sources_and_the_count(server, spawn):
    server.enqueue(Reply(web=CITED, text="", delay=0.01), Reply(text="Without the web."))
    term = spawn("--model", "claude-opus-5-5")
    term.say("/web on")
    term.wait_text("web search: on (web search and web fetch; the API runs them, $10 per 1,000 searches)")
    term.say("what about cats?")
    row = term.replied(1)
    shown = term.answer_to("what about cats?", row)
    assert shown[:3] == ["▸ web search “cats”: 2 results", "Cats are great pets[1].",
                         "[1] All about cats — https://cats.example/a"], shown
    assert re.search(r"^#1 · .* 1 search · \$0\.01\d\d \(searches \$0\.0100\) · end_turn", shown[-1]), shown
    assert f";{CATS}\x1b\\" in term.raw  # the source is a link on this terminal

    term.say("/web off")
    term.wait_text("so the model does not call them")
    term.say("and now?")
    term.replied(2)
    first, second = wait_for_bodies(server, 2)
    assert second["tools"] == first["tools"] and second["tool_choice"] == {"type": "none"}


def test_web_on_mid_conversation_drops_the_earlier_thinking_at_once_and_says_so(env, server):
    server.enqueue(Reply(text="Hi.", thinking="Greeting."), Reply(web=CITED, text=""))
    assert ask(env, "--model", "claude-opus-5-5", "hello").code == 0
    later = ask(env, "--model", "claude-opus-5-5", "--web", "-c", "what about cats?")
    assert later.code == 0, later
    assert later.err_lines[0] == ("claudechat: web search joined this conversation's tools, so the model's "
                                  "earlier thinking no longer matches what it was written for: the API drops "
                                  "it (drop_block) from now on")
    assert len(posts(server)) == 2  # no request refused first
    assert posts(server)[1].json["thinking"]["block_binding"] == {"prefix_mismatch_behavior": "drop_block"}


def test_cite_in_the_chat_lists_the_documents_passages_and_refuses_mixing(server, spawn, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Cats sleep sixteen hours a day.\n", "utf-8")
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    server.enqueue(Reply(web=["They sleep a lot", Cite(".", document=0, quote="sixteen hours")], text=""))
    term = spawn()
    term.say("/cite on")
    term.wait_text("citations on documents: on")
    term.say(f"@{notes} how long do cats sleep?")
    row = term.replied(1)
    shown = term.answer_to(f"@{notes} how long do cats sleep?", row)
    assert "They sleep a lot.[1]" in shown and "[1] notes.txt, characters 11-23: “sixteen hours”" in shown
    refused = term.said("/cite off")
    assert refused == ("this conversation sent its documents with citations, and the API takes citations "
                       "on all of a request's documents or on none; /new starts a conversation that can")
    term.said("/new")
    assert term.said("/cite off") == "citations on documents: off"
    term.say(f"@{paper} and this?")
    term.wait(lambda: term.text().count("#1 · ") == 2, "the new conversation's first reply")
    term.wait_prompt(after="#1 · ")
    assert "sent its documents without citations" in term.said("/cite on")
    assert len(posts(server)) == 2


def test_a_continued_conversation_keeps_citing_its_documents(env, server, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Cats sleep sixteen hours a day.\n", "utf-8")
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    assert ask(env, "--cite", "-f", str(notes), "how do cats live?").code == 0
    later = ask(env, "-c", "-f", str(paper), "and this paper?")
    assert later.code == 0, later
    sent = posts(server)[1].json["messages"][-1]["content"][0]
    assert sent["type"] == "document" and sent["citations"] == {"enabled": True}


def test_load_in_the_chat_continues_the_conversation_with_web_search_as_it_was(env, server, spawn):
    server.enqueue(Reply(web=CITED, text=""), Reply(web=[SEARCH, "Again."], text=""))
    assert ask(env, "--web", "what about cats?").code == 0
    term = spawn()  # web search off for this chat
    term.say("/load last")
    term.wait_prompt(after="#1 · ")
    assert "web search: on" in term.said("/web")
    term.say("and again?")
    term.replied(2)
    assert "tool_choice" not in posts(server)[1].json  # on, as the conversation had it
