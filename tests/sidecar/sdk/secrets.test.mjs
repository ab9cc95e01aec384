// The official Dapr JavaScript SDK reading secrets from `wasmdapr run` (no app) with Dapr's
// `secretstores.local.env` component, as Dapr's own SDK tests configure it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CommunicationProtocolEnum, DaprClient, LogLevel } from "@dapr/dapr";
import { Sidecar } from "./harness.mjs";

const ENV_STORE = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: secret-envvars
spec:
  type: secretstores.local.env
  version: v1
  metadata: []
`;

describe("@dapr/dapr secrets over HTTP with secretstores.local.env", () => {
  let sidecar;
  let dapr;

  before(async () => {
    sidecar = await Sidecar.start({
      components: [ENV_STORE],
      env: { TEST_SECRET_1: "secret_val_1", TEST_SECRET_2: "secret_val_2", DAPR_HIDDEN: "no" },
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
  });

  it("gets one secret by name", async () => {
    assert.deepEqual(await dapr.secret.get("secret-envvars", "TEST_SECRET_1"),
      { TEST_SECRET_1: "secret_val_1" });
  });

  it("gets them all in bulk, without the sidecar's own variables", async () => {
    const all = await dapr.secret.getBulk("secret-envvars");
    assert.deepEqual(all.TEST_SECRET_1, { TEST_SECRET_1: "secret_val_1" });
    assert.deepEqual(all.TEST_SECRET_2, { TEST_SECRET_2: "secret_val_2" });
    assert.equal(all.DAPR_HIDDEN, undefined);
  });

  it("lists the secret store in the metadata", async () => {
    const metadata = await dapr.metadata.get();
    const store = metadata.components.find((c) => c.name === "secret-envvars");
    assert.equal(store.type, "secretstores.local.env");
  });

  it("answers an unknown store with Dapr's error code", async () => {
    const res = await fetch(sidecar.url("/v1.0/secrets/nope/TEST_SECRET_1"));
    assert.equal(res.status, 401);
    assert.equal((await res.json()).errorCode, "ERR_SECRET_STORE_NOT_FOUND");
  });
});
