// Drive huawei-meeting-mcp with the official TypeScript SDK client; print one JSON summary on stdout.
//   node ts_client.mjs http <url> [bearer-token]
//   node ts_client.mjs stdio <command> [args...]      (the server's environment comes from ours)
// Run with NODE_PATH pointing at a node_modules that holds @modelcontextprotocol/sdk (tests/test_conformance.py does).
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "noop.js"));
const sdk = (name) => import(require.resolve(`@modelcontextprotocol/sdk/${name}`));
const { Client } = await sdk("client/index.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");
const { StdioClientTransport } = await sdk("client/stdio.js");

const [mode, target, ...rest] = process.argv.slice(2);
const transport =
  mode === "http"
    ? new StreamableHTTPClientTransport(new URL(target), {
        requestInit: rest[0] ? { headers: { Authorization: `Bearer ${rest[0]}` } } : {},
      })
    : new StdioClientTransport({ command: target, args: rest, env: process.env, stderr: "ignore" });

const client = new Client({ name: "ts-sdk-check", version: "1.0.0" });
const errors = [];
client.onerror = (error) => errors.push(String(error.message ?? error));
await client.connect(transport);
// What the server sent, as it arrived: the SDK hands a notification to its handler a microtask after
// reading it but settles a response at once, so a progress notification read together with its
// response reaches `onprogress` too late and is dropped (typescript-sdk issue #2580). The wire
// order is the server's part; what `onprogress` got is the SDK's.
const wire = { progress: [], progressBeforeResponse: null };
const deliver = transport.onmessage;
transport.onmessage = (message, extra) => {
  if (message.method === "notifications/progress") {
    const p = message.params;
    wire.progress.push([p.progress, p.total ?? null, p.message ?? null]);
  } else if ("id" in message && wire.progress.length > 0 && wire.progressBeforeResponse === null) {
    wire.progressBeforeResponse = wire.progress.length;
  }
  deliver(message, extra);
};
const summary = {
  serverName: client.getServerVersion()?.name,
  capabilities: Object.keys(client.getServerCapabilities() ?? {}).sort(),
  tools: (await client.listTools()).tools.map((tool) => tool.name).sort(),
};
const progress = [];
const attendance = await client.callTool(
  { name: "get_historical_meeting_attendance", arguments: { confUUID: process.env.LARGE_UUID } },
  undefined,
  { onprogress: (p) => progress.push([p.progress, p.total ?? null, p.message ?? null]) },
);
summary.attendance = {
  isError: attendance.isError ?? false,
  uniqueAttendees: attendance.structuredContent?.summary?.uniqueAttendees ?? null,
};
summary.progress = progress;
summary.wire = wire;
const detail = await client.callTool({
  name: "get_historical_meeting_detail",
  arguments: { confUUID: process.env.DOCS_EXAMPLE_UUID },
});
summary.detail = { isError: detail.isError ?? false, text: detail.content?.[0]?.text?.slice(0, 200) ?? "" };
try {
  await client.getPrompt({ name: "no_such_prompt" });
  summary.unknownPrompt = null;
} catch (error) {
  summary.unknownPrompt = error.code ?? String(error);
}
try {
  await client.callTool({ name: "no_such_tool", arguments: {} });
  summary.unknownTool = null;
} catch (error) {
  summary.unknownTool = error.code ?? String(error);
}
await client.close();
summary.errors = errors;
process.stdout.write(JSON.stringify(summary) + "\n");
