// The official Dapr JavaScript SDK (@dapr/dapr, HTTP) publishing and subscribing through
// `wasmdapr run --app-port` with no module and its embedded in-memory pub/sub: a DaprServer
// subscribes programmatically, a plain app is served by a declarative Subscription, and the
// app's SUCCESS / RETRY / DROP answers and the error codes are those daprd gives.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import {
  CommunicationProtocolEnum, DaprClient, DaprPubSubStatusEnum, DaprServer, LogLevel,
} from "@dapr/dapr";
import { Sidecar, freePort, waitFor } from "./harness.mjs";

const logger = { level: LogLevel.Error };

function client(sidecar) {
  return new DaprClient({
    daprHost: "127.0.0.1",
    daprPort: String(sidecar.port),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    logger,
  });
}

// Publishes `probe` until `arrived()` says a delivery came: the sidecar subscribes once the app
// is up, and the in-memory broker drops what is published to a topic nobody subscribes to yet.
async function publishUntilDelivered(dapr, pubsub, topic, probe, arrived) {
  await waitFor(`a delivery on ${topic}`, async () => {
    if (arrived()) return true;
    await dapr.pubsub.publish(pubsub, topic, probe);
    return arrived();
  }, 400, 25);
}

describe("@dapr/dapr DaprServer subscribed programmatically to wasmdapr's embedded pubsub", () => {
  const seen = { json: [], text: [], retry: [], drop: [], dead: [], raw: [] };
  let sidecar;
  let server;
  let dapr;

  before(async () => {
    const appPort = await freePort();
    sidecar = await Sidecar.start({ appId: "pubsub-sdk", appPort });
    server = new DaprServer({
      serverHost: "127.0.0.1",
      serverPort: String(appPort),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
      clientOptions: { daprHost: "127.0.0.1", daprPort: String(sidecar.port) },
      logger,
    });
    await server.pubsub.subscribe("pubsub", "json", async (data) => { seen.json.push(data); });
    await server.pubsub.subscribe("pubsub", "text", async (data) => { seen.text.push(data); });
    await server.pubsub.subscribe("pubsub", "retry", async (data) => {
      seen.retry.push(data);
      return seen.retry.length === 1 ? DaprPubSubStatusEnum.RETRY : DaprPubSubStatusEnum.SUCCESS;
    });
    await server.pubsub.subscribeWithOptions("pubsub", "drop", {
      deadLetterTopic: "drop-dead",
      callback: async (data) => {
        seen.drop.push(data);
        return DaprPubSubStatusEnum.DROP;
      },
    });
    await server.pubsub.subscribe("pubsub", "drop-dead", async (data) => { seen.dead.push(data); });
    await server.pubsub.subscribe("pubsub", "raw", async (data) => { seen.raw.push(data); },
      "", { rawPayload: "true" });
    await server.start();
    dapr = client(sidecar);
    await publishUntilDelivered(dapr, "pubsub", "json", { probe: true }, () => seen.json.length > 0);
  });

  after(async () => {
    await server?.stop();
    await sidecar?.stop();
  });

  it("delivers JSON objects as the objects published", async () => {
    const order = { id: 42, items: ["a", "b"], nested: { ok: true } };
    assert.deepEqual(await dapr.pubsub.publish("pubsub", "json", order), {});
    await waitFor("the JSON order", () => seen.json.some((d) => d.id === 42));
    assert.deepEqual(seen.json.find((d) => d.id === 42), order);
  });

  it("delivers text as the string published", async () => {
    await publishUntilDelivered(dapr, "pubsub", "text", "hello pubsub", () => seen.text.length > 0);
    assert.equal(seen.text[0], "hello pubsub");
  });

  it("redelivers a message the app answered RETRY", async () => {
    await publishUntilDelivered(dapr, "pubsub", "retry", { n: 1 }, () => seen.retry.length > 0);
    await waitFor("the redelivery", () => seen.retry.length >= 2);
    assert.deepEqual(seen.retry[0], seen.retry[1]);
  });

  it("does not redeliver a message the app answered DROP, and sends it to the dead-letter topic", async () => {
    await publishUntilDelivered(dapr, "pubsub", "drop", { n: 7 }, () => seen.drop.length > 0);
    await waitFor("the dead letter", () => seen.dead.length > 0);
    assert.deepEqual(seen.dead[0], { n: 7 });
    // A marker on the same topic arrives after any redelivery would have been due.
    const drops = seen.drop.length;
    await dapr.pubsub.publish("pubsub", "drop", { marker: true });
    await waitFor("the marker", () => seen.drop.some((d) => d.marker));
    assert.equal(seen.drop.filter((d) => d.n === 7).length, drops);
  });

  it("passes a raw payload through to a rawPayload subscriber", async () => {
    const publish = () => dapr.pubsub.publish("pubsub", "raw", { plain: "bytes" },
      { metadata: { rawPayload: true } });
    await waitFor("the raw delivery", async () => {
      if (seen.raw.length > 0) return true;
      await publish();
      return seen.raw.length > 0;
    }, 400, 25);
    assert.deepEqual(seen.raw[0], { plain: "bytes" });
  });

  it("answers an unknown pubsub with daprd's error codes", async () => {
    const single = await dapr.pubsub.publish("no-such-pubsub", "t", { a: 1 });
    assert.ok(single.error, "publish to an unknown pubsub must fail");
    const body = JSON.parse(JSON.parse(single.error.message).error_msg);
    assert.equal(body.errorCode, "ERR_PUBSUB_NOT_FOUND");
    assert.equal(JSON.parse(single.error.message).status, 404);

    const bulk = await dapr.pubsub.publishBulk("no-such-pubsub", "t", ["x", "y"]);
    assert.equal(bulk.failedMessages.length, 2);
  });

  it("bulk publishes every entry, and fails them all for duplicate entry ids", async () => {
    const before = seen.json.length;
    const ok = await dapr.pubsub.publishBulk("pubsub", "json", [{ b: 1 }, { b: 2 }]);
    assert.deepEqual(ok.failedMessages, []);
    await waitFor("both bulk entries", () => seen.json.length >= before + 2);
    assert.deepEqual(seen.json.slice(before).map((d) => d.b).sort(), [1, 2]);

    const duplicate = await dapr.pubsub.publishBulk("pubsub", "json", [
      { entryID: "same", event: "a", contentType: "text/plain" },
      { entryID: "same", event: "b", contentType: "text/plain" },
    ]);
    assert.equal(duplicate.failedMessages.length, 2);
  });
});

describe("a declarative Subscription in --resources-path", () => {
  const deliveries = [];
  let app;
  let sidecar;

  before(async () => {
    app = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => { body += d; });
      req.on("end", () => {
        if (req.method === "GET" && req.url === "/dapr/subscribe") {
          res.writeHead(404).end();
          return;
        }
        deliveries.push({ path: req.url, type: req.headers["content-type"], event: JSON.parse(body) });
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"SUCCESS"}');
      });
    });
    app.listen(0, "127.0.0.1");
    await once(app, "listening");
    sidecar = await Sidecar.start({
      appId: "declared-app",
      appPort: app.address().port,
      components: [`apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: orders-pubsub
spec:
  type: pubsub.in-memory
  version: v1
---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders
spec:
  pubsubname: orders-pubsub
  topic: orders
  routes:
    rules:
    - match: event.data.priority == "high"
      path: /urgent
    default: /orders
scopes:
- declared-app
`],
    });
  });

  after(async () => {
    await sidecar?.stop();
    app?.close();
  });

  it("routes events by rule, with the CloudEvent envelope daprd sends", async () => {
    const dapr = client(sidecar);
    await publishUntilDelivered(dapr, "orders-pubsub", "orders", { priority: "low" },
      () => deliveries.some((d) => d.path === "/orders"));
    await dapr.pubsub.publish("orders-pubsub", "orders", { priority: "high" });
    await waitFor("the urgent order", () => deliveries.some((d) => d.path === "/urgent"));
    const urgent = deliveries.find((d) => d.path === "/urgent");
    assert.equal(urgent.type, "application/cloudevents+json");
    assert.deepEqual(urgent.event.data, { priority: "high" });
    assert.equal(urgent.event.source, "declared-app");
    assert.equal(urgent.event.topic, "orders");
    assert.equal(urgent.event.pubsubname, "orders-pubsub");
    assert.equal(urgent.event.type, "com.dapr.event.sent");
    assert.equal(urgent.event.datacontenttype, "application/json");
    assert.ok(deliveries.filter((d) => d.path === "/orders")
      .every((d) => d.event.data.priority === "low"));
  });
});
