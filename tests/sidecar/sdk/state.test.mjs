// The official Dapr JavaScript SDK (@dapr/dapr, HTTP) against `wasmdapr run` with no app, for
// every state store: the calls an app makes, and the answers daprd would give.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CommunicationProtocolEnum, DaprClient, LogLevel, StateConcurrencyEnum } from "@dapr/dapr";
import { RedisServer, Sidecar, stateComponent, tempDir, waitFor } from "./harness.mjs";

const STORE = "store";

function client(sidecar, extra = {}) {
  return new DaprClient({
    daprHost: "127.0.0.1",
    daprPort: String(sidecar.port),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    logger: { level: LogLevel.Error },
    ...extra,
  });
}

// The SDK reports an HTTP failure as an Error whose message is {error, error_msg, status}.
function failure(e) {
  return JSON.parse(e.message);
}

// The etag of one key, which the SDK's get() does not return.
async function etagOf(dapr, key) {
  const [item] = await dapr.state.getBulk(STORE, [key]);
  return item.etag;
}

const stores = [
  { type: "state.in-memory", metadata: () => ({}) },
  { type: "state.sqlite", metadata: (t) => ({ connectionString: `${t.dir}/state.db` }) },
  { type: "state.redis", metadata: (t) => ({ redisHost: `127.0.0.1:${t.redis.port}` }) },
];

for (const store of stores) {
  describe(`@dapr/dapr over HTTP with ${store.type}`, () => {
    const t = {};
    let sidecar;
    let dapr;

    before(async () => {
      t.dir = tempDir("store");
      if (store.type === "state.redis") t.redis = await RedisServer.start();
      sidecar = await Sidecar.start({
        components: [stateComponent(STORE, store.type, store.metadata(t))],
      });
      dapr = client(sidecar);
      await dapr.start();
    });

    after(async () => {
      await dapr?.stop();
      await sidecar?.stop();
      await t.redis?.stop();
    });

    it("reports the sidecar healthy and its components in the metadata", async () => {
      assert.equal(await dapr.health.isHealthy(), true);
      const metadata = await dapr.metadata.get();
      assert.equal(metadata.id, "sdk-tests");
      const component = metadata.components.find((c) => c.name === STORE);
      assert.equal(component.type, store.type);
      assert.equal(component.version, "v1");
      for (const capability of ["ETAG", "TRANSACTIONAL"]) {
        assert.ok(component.capabilities.includes(capability), capability);
      }
    });

    it("keeps extended metadata set by the app", async () => {
      await dapr.metadata.set("owner", "team-a");
      const metadata = await dapr.metadata.get();
      assert.equal(metadata.extended.owner, "team-a");
    });

    it("saves and reads strings and objects (the prototype's weapon and planets)", async () => {
      assert.deepEqual(await dapr.state.save(STORE, [
        { key: "weapon", value: "Death Star" },
        { key: "planets", value: { name: "Tatooine", test: 123 } },
      ]), {});
      assert.equal(await dapr.state.get(STORE, "weapon"), "Death Star");
      assert.deepEqual(await dapr.state.get(STORE, "planets"), { name: "Tatooine", test: 123 });
    });

    it("answers an empty string for a missing key", async () => {
      assert.equal(await dapr.state.get(STORE, "never-saved"), "");
    });

    it("stores values as the exact JSON sent", async () => {
      const raw = '[{"key":"raw","value":{"b" : 1,"a":[1.50, 2e3]}}]';
      const saved = await fetch(sidecar.url(`/v1.0/state/${STORE}`), { method: "POST", body: raw });
      assert.equal(saved.status, 204);
      const got = await fetch(sidecar.url(`/v1.0/state/${STORE}/raw`));
      assert.equal(await got.text(), '{"b" : 1,"a":[1.50, 2e3]}');
      assert.ok(got.headers.get("etag"));
    });

    it("bulk-gets with data, etags, and missing keys listed without data", async () => {
      await dapr.state.save(STORE, [{ key: "b1", value: 1 }, { key: "b2", value: { x: "y" } }]);
      const items = await dapr.state.getBulk(STORE, ["b1", "b2", "b-missing"]);
      const byKey = Object.fromEntries(items.map((i) => [i.key, i]));
      assert.equal(byKey.b1.data, 1);
      assert.deepEqual(byKey.b2.data, { x: "y" });
      assert.ok(byKey.b1.etag);
      assert.equal(byKey["b-missing"].data, undefined);
    });

    it("changes the etag on every write and refuses a stale one", async () => {
      await dapr.state.save(STORE, [{ key: "e", value: "v1" }]);
      const first = await etagOf(dapr, "e");
      await dapr.state.save(STORE, [{ key: "e", value: "v2", etag: first }]);
      const second = await etagOf(dapr, "e");
      assert.notEqual(second, first);
      const stale = await dapr.state.save(STORE, [{ key: "e", value: "v3", etag: first }]);
      assert.equal(failure(stale.error).status, 409);
      assert.match(failure(stale.error).error_msg, /ERR_STATE_SAVE/);
      assert.equal(await dapr.state.get(STORE, "e"), "v2");
    });

    it("applies first-write concurrency", async () => {
      const firstWrite = { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE };
      assert.deepEqual(await dapr.state.save(STORE, [
        { key: "fw", value: "created", etag: "1234", options: firstWrite },
      ]), {});
      const conflict = await dapr.state.save(STORE, [{ key: "fw", value: "again", options: firstWrite }]);
      assert.equal(failure(conflict.error).status, 409);
      assert.equal(await dapr.state.get(STORE, "fw"), "created");
    });

    it("deletes, and refuses a delete with a stale etag", async () => {
      await dapr.state.save(STORE, [{ key: "d", value: "x" }]);
      const etag = await etagOf(dapr, "d");
      await dapr.state.save(STORE, [{ key: "d", value: "y" }]);
      const stale = await dapr.state.delete(STORE, "d", { etag });
      assert.equal(failure(stale.error).status, 409);
      assert.deepEqual(await dapr.state.delete(STORE, "d", { etag: await etagOf(dapr, "d") }), {});
      assert.equal(await dapr.state.get(STORE, "d"), "");
    });

    it("runs transactions atomically", async () => {
      await dapr.state.save(STORE, [{ key: "t-old", value: "old" }]);
      await dapr.state.transaction(STORE, [
        { operation: "upsert", request: { key: "t-new", value: { n: 1 } } },
        { operation: "delete", request: { key: "t-old" } },
      ]);
      assert.deepEqual(await dapr.state.get(STORE, "t-new"), { n: 1 });
      assert.equal(await dapr.state.get(STORE, "t-old"), "");

      await assert.rejects(dapr.state.transaction(STORE, [
        { operation: "upsert", request: { key: "t-never", value: 1 } },
        { operation: "delete", request: { key: "t-new", etag: "999999" } },
      ]), (e) => failure(e).status === 500 && /ERR_STATE_TRANSACTION/.test(failure(e).error_msg));
      assert.equal(await dapr.state.get(STORE, "t-never"), "");
      assert.deepEqual(await dapr.state.get(STORE, "t-new"), { n: 1 });
    });

    it("expires keys saved with ttlInSeconds", async () => {
      await dapr.state.save(STORE, [{ key: "ttl", value: "soon gone", metadata: { ttlInSeconds: "1" } }]);
      assert.equal(await dapr.state.get(STORE, "ttl"), "soon gone");
      await waitFor("the key to expire", async () => (await dapr.state.get(STORE, "ttl")) === "");
    });

    it("lets request-level metadata override an item's own", async () => {
      await dapr.state.save(STORE, [{ key: "ttl2", value: "v", metadata: { ttlInSeconds: "1" } }],
        { metadata: { ttlInSeconds: "3600" } });
      const got = await fetch(sidecar.url(`/v1.0/state/${STORE}/ttl2`));
      const expires = Date.parse(got.headers.get("metadata.ttlExpireTime"));
      assert.ok(expires - Date.now() > 600_000, "the request-level TTL applied");
    });

    it("reports unknown stores with Dapr's error code", async () => {
      const res = await fetch(sidecar.url("/v1.0/state/nope/k"));
      assert.equal(res.status, 400);
      assert.equal((await res.json()).errorCode, "ERR_STATE_STORE_NOT_FOUND");
      const saved = await dapr.state.save("nope", [{ key: "k", value: 1 }]);
      assert.equal(failure(saved.error).status, 400);
    });

    it("answers malformed JSON with ERR_MALFORMED_REQUEST and keeps serving", async () => {
      const res = await fetch(sidecar.url(`/v1.0/state/${STORE}`), { method: "POST", body: "[{" });
      assert.equal(res.status, 400);
      assert.equal((await res.json()).errorCode, "ERR_MALFORMED_REQUEST");
      assert.equal(await dapr.state.get(STORE, "weapon"), "Death Star");
    });

    it("serves many concurrent clients", async () => {
      const writes = Array.from({ length: 64 }, (_, i) =>
        dapr.state.save(STORE, [{ key: `c${i}`, value: i }]));
      for (const result of await Promise.all(writes)) assert.deepEqual(result, {});
      const items = await dapr.state.getBulk(STORE, Array.from({ length: 64 }, (_, i) => `c${i}`));
      assert.deepEqual(items.map((i) => i.data).sort((a, b) => a - b),
        Array.from({ length: 64 }, (_, i) => i));
    });

    if (store.type !== "state.redis") {
      it("queries with the alpha1 query API", async () => {
        await dapr.state.save(STORE, [
          { key: "q1", value: { city: "Mos Eisley", pop: 5 } },
          { key: "q2", value: { city: "Anchorhead", pop: 2 } },
          { key: "q3", value: { city: "Mos Eisley", pop: 9 } },
        ]);
        const result = await dapr.state.query(STORE, {
          filter: { EQ: { city: "Mos Eisley" } },
          sort: [{ key: "pop", order: "DESC" }],
          page: { limit: 10 },
        });
        assert.deepEqual(result.results.map((r) => r.key), ["q3", "q1"]);
        assert.deepEqual(result.results[0].data, { city: "Mos Eisley", pop: 9 });
      });
    }
  });
}

describe("API token", () => {
  let sidecar;
  before(async () => {
    sidecar = await Sidecar.start({
      components: [stateComponent(STORE, "state.in-memory")],
      env: { DAPR_API_TOKEN: "s3cret" },
    });
  });
  after(async () => sidecar?.stop());

  it("lets the SDK in with the token and keeps others out", async () => {
    const dapr = client(sidecar, { daprApiToken: "s3cret" });
    await dapr.state.save(STORE, [{ key: "k", value: "v" }]);
    assert.equal(await dapr.state.get(STORE, "k"), "v");
    const denied = await fetch(sidecar.url(`/v1.0/state/${STORE}/k`));
    assert.equal(denied.status, 401);
    assert.equal(await denied.text(), "invalid api token");
    assert.equal((await fetch(sidecar.url("/v1.0/healthz"))).status, 204);
    await dapr.stop();
  });
});

describe("shutdown and durability", () => {
  it("stops when the SDK asks it to", async () => {
    const sidecar = await Sidecar.start({ components: [stateComponent(STORE, "state.in-memory")] });
    const dapr = client(sidecar);
    await dapr.sidecar.shutdown();
    assert.equal(await sidecar.exit(), 0);
    await sidecar.stop();
  });

  it("keeps every acknowledged write to the embedded SQLite store through kill -9", async () => {
    const stateDir = tempDir("durable");
    const first = await Sidecar.start({ stateDir });
    const dapr = client(first);
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key, i) =>
      dapr.state.save("statestore", [{ key, value: { i } }]).then((r) => assert.deepEqual(r, {}))));
    assert.equal(await first.kill("SIGKILL"), "SIGKILL");
    await first.stop();

    const second = await Sidecar.start({ stateDir });
    const again = client(second);
    const items = await again.state.getBulk("statestore", keys);
    assert.deepEqual(items.map((item) => item.data.i), keys.map((_, i) => i));
    await second.stop();
  });
});
