"""`/model NAME` checks the name against the server's model list (issue 10, item 6): a name
the list lacks is still used (proxies serve names of their own) but one line says so, with
the closest listed name; a list that cannot be fetched is said too. The chat on a pty
against the fake server, whose GET /v1/models serves docs/API-2026.md §1a/§1b's line-up."""

from __future__ import annotations

from helpers.fake_server import Reply
from helpers.received import wait_for_bodies

UNLISTED = ("claudechat: claude-opus-5-6 is not in this server's model list (did you mean "
            "claude-opus-5-5?); using it anyway (/model + Tab lists them)")


def model_gets(server) -> list:
    return [r for r in server.requests if r.method == "GET" and r.path == "/v1/models"]


def test_an_unlisted_name_is_used_with_a_warning_and_a_listed_one_without(server, spawn):
    server.enqueue(Reply(text="From the unlisted one."))
    term = spawn()
    assert term.said("/model claude-opus-5-6") == f"model: claude-opus-5-6 {UNLISTED}"
    term.say("hi")
    term.wait_prompt(after="From the unlisted one.")
    [body] = wait_for_bodies(server, 1)
    assert body["model"] == "claude-opus-5-6"  # still allowed
    assert term.said("/model claude-opus-5-5") == "model: claude-opus-5-5"
    assert term.said("/model claude-haiku-4-5-20251001") == "model: claude-haiku-4-5-20251001"  # dated
    assert term.said("/model claude-fable-5-2") == "model: claude-fable-5-2"
    assert len(model_gets(server)) == 1  # asked once, then the cached list


def test_a_model_described_in_the_config_is_not_warned_about(env, server, spawn, config):
    env = config(env, '[models."claude-opus-6"]\nlike = "claude-opus-5-5"\n')
    term = spawn(CLAUDECHAT_CONFIG=env["CLAUDECHAT_CONFIG"])
    assert term.said("/model claude-opus-6") == "model: claude-opus-6"


def test_a_list_that_cannot_be_fetched_is_said_and_the_name_used(server, spawn):
    term = spawn()
    server.stop()
    answer = term.said("/model claude-opus-5-6")
    assert answer.startswith("model: claude-opus-5-6 claudechat: could not check claude-opus-5-6 "
                             "against the server's model list (could not connect"), answer
    assert answer.endswith("); using it anyway")
    # still in use; the list it would show cannot be fetched
    assert term.said("/model") == ("model: claude-opus-5-6 the server's model list could not be fetched "
                                   "(could not connect to 127.0.0.1 ([Errno 111] Connection refused) — "
                                   "check your network and the base URL, then try again)")
