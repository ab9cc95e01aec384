// The prototype's test, on wasmdapr: save a weapon, bulk-save a planet, read both back.
// Its top-level code runs when the module starts, as the prototype's did. It talks to the
// built-in sidecar over HTTP (the prototype's path, through the allow list) and then reads
// the same state back over the direct `dapr` ABI, so the two paths are shown to agree.
import { DaprClient, Transport, StateItem, jsonString } from "../../../sdk/assemblyscript/assembly/index";

const STORE = "statestore";
const WEAPON = jsonString("Death Star");
const PLANETS = "{\"name\":\"Tatooine\",\"test\":123}";

function fail(what: string): void {
  console.error("Test failed: " + what);
  process.exit(1);
}

function expectValue(client: DaprClient, key: string, expected: string, path: string): void {
  const got = client.getState(STORE, key);
  if (got == null) {
    fail(path + ": " + key + " not found (status " + client.lastStatus.toString() + ")");
  } else if (got != expected) {
    fail(path + ": " + key + " is " + got + ", expected " + expected);
  }
}

const http = new DaprClient(Transport.Http, "http://127.0.0.1:" + (process.env.has("DAPR_HTTP_PORT") ? process.env.get("DAPR_HTTP_PORT") : "3500"));
if (!http.saveState(STORE, "weapon", WEAPON)) fail("save weapon (HTTP " + http.lastHttpStatus.toString() + ")");
if (!http.saveBulkState(STORE, [new StateItem("planets", PLANETS)])) fail("bulk save planets");
expectValue(http, "weapon", WEAPON, "HTTP");
expectValue(http, "planets", PLANETS, "HTTP");

const direct = new DaprClient(Transport.Direct);
expectValue(direct, "weapon", WEAPON, "direct ABI");
expectValue(direct, "planets", PLANETS, "direct ABI");

console.log("weapon = " + WEAPON);
console.log("planets = " + PLANETS);
console.log("Test successfully!");
