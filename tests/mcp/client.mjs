// A real MCP client (the official TypeScript SDK, npm @modelcontextprotocol/sdk) against
// `repowiki mcp`.
//
//     node client.mjs stdio REPOWIKI REPO    # spawns `REPOWIKI mcp REPO`
//     node client.mjs http URL               # a server already listening
//
// Lists the tools and resources, calls every tool, reads a resource, sends bad input, and
// prints one JSON object with what came back; the Rust test (tests/mcp.rs) checks it.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [mode, a, b] = process.argv.slice(2);
const transport =
  mode === 'stdio'
    ? new StdioClientTransport({ command: a, args: ['mcp', b], stderr: 'ignore' })
    : new StreamableHTTPClientTransport(new URL(a));
const client = new Client({ name: 'repowiki-test', version: '1.0.0' });
await client.connect(transport);

const textOf = (result) =>
  result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

const out = { calls: {}, errors: {} };
out.server = client.getServerVersion().name;
out.tools = (await client.listTools()).tools.map((t) => t.name).sort();
out.resources = (await client.listResources()).resources.map((r) => r.uri);
out.resource_text = (await client.readResource({ uri: 'repowiki://wiki/README.md' })).contents[0].text;

const calls = {
  read_wiki_structure: { repoName: 'demo' },
  read_wiki_contents: { repoName: 'demo', page: 'README.md' },
  ask_question: { repoName: 'demo', question: 'where is the left pad helper?' },
  search: { query: 'widget label', kinds: ['symbol'] },
  read_source: { path: 'src/helpers.rs', startLine: 1, endLine: 3 },
  why: { path: 'src/helpers.rs' },
  risk: {},
  flows: { symbol: 'show' },
};
for (const [name, args] of Object.entries(calls)) {
  const result = await client.callTool({ name, arguments: args });
  out.calls[name] = { error: Boolean(result.isError), text: textOf(result) };
}

const bad = {
  unknown_tool: ['no_such_tool', {}],
  wrong_type: ['read_source', { path: 7 }],
  outside: ['read_source', { path: '../../etc/passwd' }],
  absolute: ['read_source', { path: '/etc/passwd' }],
  past_end: ['read_source', { path: 'src/helpers.rs', startLine: 100000 }],
  other_repo: ['read_wiki_structure', { repoName: 'someone/else' }],
  huge_question: ['ask_question', { repoName: 'demo', question: 'why '.repeat(250000) }],
};
for (const [key, [name, args]] of Object.entries(bad)) {
  try {
    const result = await client.callTool({ name, arguments: args });
    out.errors[key] = { raised: false, text: textOf(result), is_error: Boolean(result.isError) };
  } catch (e) {
    out.errors[key] = { raised: true, text: String(e.message) };
  }
}
// Still serving after all of that.
const again = await client.callTool({ name: 'read_wiki_structure', arguments: { repoName: 'demo' } });
out.after_errors = textOf(again).slice(0, 200);
await client.close();
console.log(JSON.stringify(out));
