// The official Dapr JavaScript SDK (@dapr/dapr, HTTP) for service invocation: a DaprServer app
// behind `wasmdapr run --app-port`, called by a DaprClient through its own sidecar, and through
// another sidecar that finds it by sqlite name resolution.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { CommunicationProtocolEnum, DaprClient, DaprServer, HttpMethod, LogLevel } from "@dapr/dapr";
import { Sidecar, freePort, sqliteNameResolution, tempDir } from "./harness.mjs";

const logger = { level: LogLevel.Error };

function client(sidecar) {
  return new DaprClient({
    daprHost: "127.0.0.1",
    daprPort: String(sidecar.port),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    logger,
  });
}

// The SDK reports an HTTP failure as an Error whose message is {error, error_msg, status}.
function failure(e) {
  return JSON.parse(e.message);
}

// An app with a few methods; each records what reached it in `seen`.
async function startApp(appPort, sidecarPort, seen) {
  const server = new DaprServer({
    serverHost: "127.0.0.1",
    serverPort: String(appPort),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    clientOptions: { daprHost: "127.0.0.1", daprPort: String(sidecarPort) },
    logger,
  });
  await server.invoker.listen("hello", async (data) => {
    seen.push(data);
    return { hello: "world" };
  }, { method: HttpMethod.GET });
  await server.invoker.listen("echo", async (data) => {
    seen.push(data);
    return { received: JSON.parse(data.body) };
  }, { method: HttpMethod.POST });
  await server.invoker.listen("api/v1/add", async (data) => {
    seen.push(data);
    const { a, b } = JSON.parse(data.body);
    return { sum: a + b };
  }, { method: HttpMethod.POST });
  await server.start();
  return server;
}

describe("@dapr/dapr service invocation through wasmdapr", () => {
  const dir = tempDir("invoke");
  const config = sqliteNameResolution(join(dir, "nr.db"));
  const seen = [];
  let sidecarA;
  let sidecarB;
  let app;
  let clientA;
  let clientB;

  before(async () => {
    const appPort = await freePort();
    sidecarA = await Sidecar.start({ appId: "app-a", appPort, config });
    sidecarB = await Sidecar.start({ appId: "app-b", config });
    app = await startApp(appPort, sidecarA.port, seen);
    clientA = client(sidecarA);
    clientB = client(sidecarB);
    await clientA.start();
    await clientB.start();
  });

  after(async () => {
    await clientA?.stop();
    await clientB?.stop();
    await app?.stop();
    await sidecarA?.stop();
    await sidecarB?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("invokes a GET method of its own app", async () => {
    seen.length = 0;
    const answer = await clientA.invoker.invoke("app-a", "hello", HttpMethod.GET);
    assert.deepEqual(answer, { hello: "world" });
    assert.equal(seen.length, 1);
    assert.equal(seen[0].headers["dapr-callee-app-id"], "app-a");
  });

  it("invokes a POST method with a JSON body and a custom header", async () => {
    seen.length = 0;
    const answer = await clientA.invoker.invoke("app-a", "echo", HttpMethod.POST,
      { planet: "Tatooine", n: 123 }, { headers: { "x-foo": "bar" } });
    assert.deepEqual(answer, { received: { planet: "Tatooine", n: 123 } });
    assert.equal(seen[0].headers["x-foo"], "bar");
    assert.equal(seen[0].metadata.contentType, "application/json");
  });

  it("invokes a nested method path", async () => {
    const answer = await clientA.invoker.invoke("app-a", "api/v1/add", HttpMethod.POST,
      { a: 2, b: 40 });
    assert.deepEqual(answer, { sum: 42 });
  });

  it("reports a method the app does not have with the app's own 404", async () => {
    await assert.rejects(clientA.invoker.invoke("app-a", "missing", HttpMethod.GET),
      (e) => failure(e).status === 404);
  });

  it("reaches the app from another sidecar found by sqlite name resolution", async () => {
    seen.length = 0;
    const answer = await clientB.invoker.invoke("app-a", "api/v1/add", HttpMethod.POST,
      { a: 1, b: 2 }, { headers: { "x-foo": "from-b" } });
    assert.deepEqual(answer, { sum: 3 });
    assert.equal(seen[0].headers["x-foo"], "from-b");
    assert.equal(seen[0].headers["dapr-caller-app-id"], "app-b");
    assert.equal(seen[0].headers["dapr-callee-app-id"], "app-a");
    assert.deepEqual(await clientB.invoker.invoke("app-a", "hello", HttpMethod.GET),
      { hello: "world" });
  });

  it("answers 500 ERR_DIRECT_INVOKE for an app id that resolves nowhere", async () => {
    await assert.rejects(clientB.invoker.invoke("app-nowhere", "hello", HttpMethod.GET),
      (e) => {
        const f = failure(e);
        return f.status === 500 && JSON.parse(f.error_msg).errorCode === "ERR_DIRECT_INVOKE";
      });
  });

  it("no longer finds an app whose sidecar has shut down", async () => {
    await sidecarA.stop();
    await assert.rejects(clientB.invoker.invoke("app-a", "hello", HttpMethod.GET),
      (e) => failure(e).status === 500);
  });
});
