// The guest side of bench_abi: loops of one state get (and of one publish), over the direct `dapr` ABI and over
// `wasi_experimental_http`, each raw (buffers made once, nothing allocated per call) and
// through the SDK's DaprClient (what an app written with it pays). Its start does nothing, so
// instantiating it costs only the instance. Each loop returns 0, or the first failure's code.
import * as dapr from "../../sdk/assemblyscript/assembly/dapr_abi";
import * as http from "../../sdk/assemblyscript/assembly/http_abi";
import { DaprClient, Transport } from "../../sdk/assemblyscript/assembly/index";

const STORE = "statestore";
const KEY = "planets";
const VALUE = "{\"name\":\"Tatooine\",\"test\":123}";
const OUT = memory.data(16);

function port(): string {
  return process.env.has("DAPR_HTTP_PORT") ? process.env.get("DAPR_HTTP_PORT") : "3500";
}

/** The sidecar's address: its in-process one, or (tcp) a name that the allow list lets through
 *  but that is not the in-process origin, so the call goes over the loopback network. */
function sidecar(tcp: i32): string {
  return (tcp ? "http://localhost:" : "http://127.0.0.1:") + port();
}

function bytes(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

export function setup(): i32 {
  const c = new DaprClient();
  return c.saveState(STORE, KEY, VALUE) ? 0 : <i32>c.lastStatus;
}

export function directRaw(n: i32): i32 {
  const s = bytes(STORE), k = bytes(KEY);
  const buf = new Uint8Array(256);
  for (let i = 0; i < n; i++) {
    const code = dapr.state_get(s.dataStart, s.length, k.dataStart, k.length, buf.dataStart, 256,
      OUT);
    if (code != 0) return <i32>code;
  }
  return load<u32>(OUT) == <u32>VALUE.length ? 0 : -1;
}

export function directSdk(n: i32): i32 {
  const c = new DaprClient();
  for (let i = 0; i < n; i++) {
    if (c.getState(STORE, KEY) == null) return <i32>c.lastStatus;
  }
  return 0;
}

export function httpRaw(n: i32, tcp: i32): i32 {
  const url = bytes(sidecar(tcp) + "/v1.0/state/" + STORE + "/" + KEY);
  const method = bytes("GET");
  const buf = new Uint8Array(256);
  for (let i = 0; i < n; i++) {
    let code = http.req(url.dataStart, url.length, method.dataStart, method.length, 0, 0, 0, 0,
      OUT, OUT + 4);
    if (code != 0) return <i32>code;
    if (load<u16>(OUT) != 200) return 1000 + <i32>load<u16>(OUT);
    const handle = load<u32>(OUT + 4);
    let total: u32 = 0;
    do {
      code = http.body_read(handle, buf.dataStart, 256, OUT + 8);
      total += load<u32>(OUT + 8);
    } while (code == 0 && load<u32>(OUT + 8) != 0);
    http.close(handle);
    if (code != 0) return <i32>code;
    if (total != <u32>VALUE.length) return -1;
  }
  return 0;
}

export function httpSdk(n: i32, tcp: i32): i32 {
  const c = new DaprClient(Transport.Http, sidecar(tcp));
  for (let i = 0; i < n; i++) {
    if (c.getState(STORE, KEY) == null) return 2000 + <i32>c.lastStatus;
  }
  return 0;
}

export function publishSdk(n: i32, transport: i32): i32 {
  const c = transport ? new DaprClient(Transport.Http, sidecar(0)) : new DaprClient();
  for (let i = 0; i < n; i++) {
    if (!c.publish("pubsub", "orders", VALUE)) return 3000 + <i32>c.lastStatus;
  }
  return 0;
}
