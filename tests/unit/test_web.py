"""web.py: the config's web tables, the tool definitions, tools kept stable, --cite, call lines."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from claudechat import web
from claudechat.errors import UsageError


@pytest.mark.parametrize(("name", "table", "problem"), [
    ("web_search", {"max_uses": 0}, "max_uses must be an integer of at least 1"),
    ("web_search", {"max_uses": True}, "max_uses must be an integer of at least 1"),
    ("web_search", {"allowed_domains": ["https://a.example"]}, "bare domains"),
    ("web_search", {"allowed_domains": ["a.example"], "blocked_domains": ["b.example"]}, "not both"),
    ("web_search", {"user_location": {"country": "de"}}, "two-letter ISO code"),
    ("web_search", {"user_location": {"town": "Paris"}}, "no field 'town'"),
    ("web_search", {"citations": True}, "no setting 'citations'"),
    ("web_fetch", {"citations": "yes"}, "citations must be true or false"),
])
def test_a_table_the_api_would_refuse_is_refused_at_load(name, table, problem):
    assert problem in (web.table_problem(name, table) or "")


def test_good_tables_pass():
    assert web.table_problem("web_search", {"max_uses": 3, "blocked_domains": ["b.example/path"],
                                            "user_location": {"city": "Lyon", "country": "FR"}}) is None
    fetch = {"enabled": False, "citations": True, "max_content_tokens": 900}
    assert web.table_problem("web_fetch", fetch) is None


def settings(**fields):
    return SimpleNamespace(**{"web": True, "web_search": None, "web_fetch": None, **fields})


def test_server_tools_for_the_settings():
    assert web.server_tools(settings(web=False)) == ()
    assert web.server_tools(settings()) == ({"type": "web_search_20250305", "name": "web_search"},
                                            {"type": "web_fetch_20250910", "name": "web_fetch"})
    search, fetch = web.server_tools(settings(web_search={"user_location": {"city": "Lyon"}},
                                              web_fetch={"citations": True, "max_uses": 2}))
    assert search["user_location"] == {"type": "approximate", "city": "Lyon"}
    assert fetch == {"type": "web_fetch_20250910", "name": "web_fetch", "citations": {"enabled": True},
                     "max_uses": 2}
    assert len(web.server_tools(settings(web_fetch={"enabled": False}))) == 1


OWN = ({"name": "read_file", "input_schema": {"type": "object"}},)
WEB = ({"type": "web_search_20250305", "name": "web_search"},)


def test_tools_once_sent_stay_and_off_is_tool_choice_none():
    assert web.request_tools((), WEB, (), None) == ([*WEB], None)  # the first time
    older = ({"type": "web_search_20250305", "name": "web_search", "max_uses": 9},)
    assert web.request_tools((), WEB, older, None) == ([*older], None)  # as sent, not as configured now
    assert web.request_tools((), (), older, None) == ([*older], {"type": "none"})
    assert web.request_tools(OWN, (), (), None) == ([*OWN], None)
    with pytest.raises(UsageError, match="while your own tools are on"):
        web.request_tools(OWN, (), older, None)


def test_cite_turns_text_files_into_citable_documents_and_marks_pdfs():
    wrapped = {"type": "text", "text": '<document name="a &amp; b.txt">\nhello\n</document>'}
    pdf = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}}
    prompt = {"type": "text", "text": "what?"}
    assert web.cite_documents([wrapped, pdf, prompt]) == [
        {"type": "document", "title": "a & b.txt", "citations": {"enabled": True},
         "source": {"type": "text", "media_type": "text/plain", "data": "hello\n"}},
        {**pdf, "citations": {"enabled": True}}, prompt]


def test_cite_all_or_none_across_the_conversation():
    pdf = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}}
    before = [SimpleNamespace(content=[pdf])]
    with pytest.raises(UsageError, match="sent its documents without citations.*leave out --cite"):
        web.cite_blocks([pdf], True, before)
    assert web.cite_blocks([{"type": "text", "text": "no documents"}], True, before)  # nothing to mix
    cited = [SimpleNamespace(content=[{**pdf, "citations": {"enabled": True}}])]
    with pytest.raises(UsageError, match="/cite on"):
        web.cite_blocks([pdf], False, cited, chat=True)


def test_call_lines():
    call = {"name": "web_search", "input": {"query": "cats"}}
    assert web.call_line(call, {"content": [{}, {}]}) == "web search “cats”: 2 results"
    assert web.call_line(call, {"content": []}) == "web search “cats”: 0 results"
    assert web.call_line(call, {"content": {"type": "web_search_tool_result_error",
                                            "error_code": "too_many_requests"}}) \
        == "web search “cats” failed: too_many_requests"
    fetch = {"name": "web_fetch", "input": {"url": "https://a.example/"}}
    assert web.call_line(fetch, {"content": {"type": "web_fetch_result", "content": {"title": "A"}}}) \
        == "web fetch https://a.example/: “A”"
    assert web.partial_subject("web_search", '{"query": "ca') == "“ca"
    assert web.partial_subject("web_search", '{"que') == ""
