// The official Dapr JavaScript SDK invoking output bindings on `wasmdapr run` (no app):
// bindings.localstorage over a temporary directory and bindings.http against a local server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { CommunicationProtocolEnum, DaprClient, LogLevel } from "@dapr/dapr";
import { Sidecar, stateComponent, tempDir } from "./harness.mjs";

// The SDK reports an HTTP failure as an Error whose message is {error, error_msg, status}.
async function failure(promise) {
  try {
    await promise;
  } catch (e) {
    return JSON.parse(e.message);
  }
  assert.fail("the call succeeded");
}

// An HTTP server that records requests and answers `{"seen": <path>}`, or 404 under /missing.
async function startPeer() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url.startsWith("/api/missing")) {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("nothing here");
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json", "X-Peer": "yes" });
      res.end(JSON.stringify({ seen: req.url }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, requests, port: server.address().port };
}

describe("@dapr/dapr output bindings over HTTP", () => {
  let dir;
  let peer;
  let sidecar;
  let dapr;

  before(async () => {
    dir = tempDir("bindings");
    peer = await startPeer();
    sidecar = await Sidecar.start({
      appId: "bindings-app",
      components: [
        stateComponent("files", "bindings.localstorage", { rootPath: join(dir, "files") }),
        stateComponent("web", "bindings.http", { url: `http://127.0.0.1:${peer.port}/api` }),
      ],
    });
    dapr = new DaprClient({
      daprHost: "127.0.0.1",
      daprPort: String(sidecar.port),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
      logger: { level: LogLevel.Error },
    });
    await dapr.start();
  });

  after(async () => {
    await dapr?.stop();
    await sidecar?.stop();
    peer?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists both bindings in the metadata", async () => {
    const metadata = await dapr.metadata.get();
    const types = Object.fromEntries(metadata.components.map((c) => [c.name, c.type]));
    assert.equal(types.files, "bindings.localstorage");
    assert.equal(types.web, "bindings.http");
  });

  it("creates, reads, lists and deletes files with bindings.localstorage", async () => {
    const created = await dapr.binding.send("files", "create", "Hello World",
      { fileName: "greeting.txt" });
    assert.deepEqual(created, { fileName: "greeting.txt" });
    assert.equal(readFileSync(join(dir, "files", "greeting.txt"), "utf8"), "Hello World");

    assert.equal(await dapr.binding.send("files", "get", undefined, { fileName: "greeting.txt" }),
      "Hello World");

    await dapr.binding.send("files", "create", { planet: "Tatooine" }, { fileName: "d/p.json" });
    assert.deepEqual(await dapr.binding.send("files", "get", undefined, { fileName: "d/p.json" }),
      { planet: "Tatooine" });
    assert.deepEqual(await dapr.binding.send("files", "list"), ["d/p.json", "greeting.txt"]);

    assert.equal(await dapr.binding.send("files", "delete", undefined,
      { fileName: "greeting.txt" }), "");
    const gone = await failure(dapr.binding.send("files", "get", undefined,
      { fileName: "greeting.txt" }));
    assert.equal(gone.status, 500);
    assert.equal(JSON.parse(gone.error_msg).errorCode, "ERR_INVOKE_OUTPUT_BINDING");
  });

  it("generates a file name when none is given", async () => {
    const { fileName } = await dapr.binding.send("files", "create", "anonymous text!");
    assert.match(fileName, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(await dapr.binding.send("files", "get", undefined, { fileName }),
      "anonymous text!");
  });

  it("refuses names that leave rootPath", async () => {
    for (const fileName of ["../escape.txt", "/etc/passwd"]) {
      const refused = await failure(dapr.binding.send("files", "create", "x", { fileName }));
      assert.equal(refused.status, 500);
      assert.match(refused.error_msg, /ERR_INVOKE_OUTPUT_BINDING/);
    }
  });

  it("posts data with a path and headers through bindings.http", async () => {
    const answer = await dapr.binding.send("web", "post", { name: "x" },
      { path: "/things", "X-Tenant": "blue", lowercase: "kept out" });
    assert.deepEqual(answer, { seen: "/api/things" });
    const seen = peer.requests.at(-1);
    assert.equal(seen.method, "POST");
    assert.equal(seen.body, '{"name":"x"}');
    assert.equal(seen.headers["x-tenant"], "blue");
    assert.equal(seen.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(seen.headers.lowercase, undefined);
  });

  it("returns the status and response headers as metadata headers", async () => {
    const res = await fetch(sidecar.url("/v1.0/bindings/web"), {
      method: "POST",
      body: JSON.stringify({ operation: "get", metadata: { path: "one?x=1" } }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { seen: "/api/one?x=1" });
    assert.equal(res.headers.get("metadata.statusCode"), "200");
    assert.equal(res.headers.get("metadata.status"), "200 OK");
    assert.equal(res.headers.get("metadata.X-Peer"), "yes");
    assert.equal(peer.requests.at(-1).method, "GET");
  });

  it("reports a failing status as ERR_INVOKE_OUTPUT_BINDING naming it", async () => {
    const failed = await failure(dapr.binding.send("web", "get", undefined, { path: "missing" }));
    assert.equal(failed.status, 500);
    const error = JSON.parse(failed.error_msg);
    assert.equal(error.errorCode, "ERR_INVOKE_OUTPUT_BINDING");
    assert.match(error.message, /received status code 404/);
  });

  it("answers an unknown binding as the runtime does", async () => {
    const failed = await failure(dapr.binding.send("nope", "create", "x"));
    assert.equal(failed.status, 500);
    assert.equal(JSON.parse(failed.error_msg).errorCode, "ERR_INVOKE_OUTPUT_BINDING");
  });
});
