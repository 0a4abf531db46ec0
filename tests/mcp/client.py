"""A real MCP client (the official Python SDK, PyPI `mcp`) against `repowiki mcp`.

    python client.py stdio REPOWIKI REPO      # spawns `REPOWIKI mcp REPO`
    python client.py http URL                 # a server already listening

Lists the tools and resources, calls every tool, reads a resource, sends bad input, and prints
one JSON object with what came back; the Rust test (tests/mcp.rs) checks it.
"""

import asyncio
import json
import sys

from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client


def text_of(result):
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


async def exercise(session):
    out = {"calls": {}, "errors": {}}
    init = await session.initialize()
    out["server"] = init.server_info.name
    tools = await session.list_tools()
    out["tools"] = sorted(t.name for t in tools.tools)
    resources = await session.list_resources()
    out["resources"] = [r.uri for r in resources.resources]
    read = await session.read_resource("repowiki://wiki/README.md")
    out["resource_text"] = read.contents[0].text
    calls = {
        "read_wiki_structure": {"repoName": "demo"},
        "read_wiki_contents": {"repoName": "demo", "page": "README.md"},
        "ask_question": {"repoName": "demo", "question": "where is the left pad helper?"},
        "search": {"query": "widget label", "kinds": ["symbol"]},
        "read_source": {"path": "src/helpers.rs", "startLine": 1, "endLine": 3},
        "why": {"path": "src/helpers.rs"},
        "risk": {},
        "flows": {"symbol": "show"},
    }
    for name, args in calls.items():
        result = await session.call_tool(name, args)
        out["calls"][name] = {"error": bool(result.is_error), "text": text_of(result)}
    bad = {
        "unknown_tool": ("no_such_tool", {}),
        "wrong_type": ("read_source", {"path": 7}),
        "outside": ("read_source", {"path": "../../etc/passwd"}),
        "absolute": ("read_source", {"path": "/etc/passwd"}),
        "past_end": ("read_source", {"path": "src/helpers.rs", "startLine": 100000}),
        "other_repo": ("read_wiki_structure", {"repoName": "someone/else"}),
        "huge_question": ("ask_question", {"repoName": "demo", "question": "why " * 250000}),
    }
    for key, (name, args) in bad.items():
        try:
            result = await session.call_tool(name, args)
            out["errors"][key] = {"raised": False, "text": text_of(result), "is_error": bool(result.is_error)}
        except MCPError as e:
            out["errors"][key] = {"raised": True, "text": str(e)}
    # Still serving after all of that.
    again = await session.call_tool("read_wiki_structure", {"repoName": "demo"})
    out["after_errors"] = text_of(again)[:200]
    return out


async def main():
    mode = sys.argv[1]
    if mode == "stdio":
        params = StdioServerParameters(command=sys.argv[2], args=["mcp", sys.argv[3]])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                out = await exercise(session)
    else:
        async with streamable_http_client(sys.argv[2]) as (read, write):
            async with ClientSession(read, write) as session:
                out = await exercise(session)
    print(json.dumps(out))


asyncio.run(main())
