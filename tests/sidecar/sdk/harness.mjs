// Starts real processes for the SDK tests: wasmdapr as a sidecar alone (no app), and a private
// redis-server on a loopback port when a Redis store is wanted. Everything stops at the end.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export const WASMDAPR = process.env.WASMDAPR ?? "wasmdapr";

export async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `wasmdapr-${name}-`));
}

// Polls `probe` until it returns true; fails after `attempts` tries.
export async function waitFor(what, probe, attempts = 200, intervalMs = 25) {
  for (let i = 0; i < attempts; i++) {
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    await delay(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : once(child, "exit");
}

export class RedisServer {
  static async start() {
    const port = await freePort();
    const dir = tempDir("redis");
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
    const redis = new RedisServer(child, port, dir);
    await waitFor("redis-server", async () => {
      const socket = (await import("node:net")).connect(port, "127.0.0.1");
      await once(socket, "connect");
      socket.destroy();
      return true;
    });
    return redis;
  }
  constructor(child, port, dir) {
    Object.assign(this, { child, port, dir });
  }
  async stop() {
    this.child.kill("SIGKILL");
    await exited(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Dapr component YAML for one state store.
export function stateComponent(name, type, metadata = {}) {
  const items = Object.entries(metadata)
    .map(([k, v]) => `  - name: ${k}\n    value: "${v}"`).join("\n");
  return `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: ${type}
  version: v1
  metadata:
${items || "  []"}
`;
}

export class Sidecar {
  // components: YAML texts (null for the embedded default store); env: extra variables;
  // appPort: the app it serves (--app-port); config: a Configuration YAML text (--config).
  static async start({
    appId = "sdk-tests", components = null, env = {}, stateDir, appPort, config,
  } = {}) {
    const port = await freePort();
    const dir = tempDir("sidecar");
    const args = ["run", "--app-id", appId, "--dapr-http-port", String(port),
      "--state-dir", stateDir ?? join(dir, "state")];
    if (appPort !== undefined) args.push("--app-port", String(appPort));
    if (config) {
      const file = join(dir, "config.yaml");
      writeFileSync(file, config);
      args.push("--config", file);
    }
    if (components) {
      const resources = join(dir, "resources");
      (await import("node:fs")).mkdirSync(resources);
      components.forEach((yaml, i) => writeFileSync(join(resources, `c${i}.yaml`), yaml));
      args.push("--resources-path", resources);
    }
    const child = spawn(WASMDAPR, args, {
      stdio: ["ignore", "inherit", "pipe"],
      env: { ...process.env, ...env },
    });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    const sidecar = new Sidecar(child, port, dir);
    sidecar.stderr = () => stderr;
    await waitFor("the sidecar", async () => {
      if (child.exitCode !== null) throw new Error(`wasmdapr exited: ${stderr}`);
      return (await fetch(`http://127.0.0.1:${port}/v1.0/healthz/outbound`)).status === 204;
    });
    return sidecar;
  }
  constructor(child, port, dir) {
    Object.assign(this, { child, port, dir });
  }
  url(path) {
    return `http://127.0.0.1:${this.port}${path}`;
  }
  async exit() {
    await exited(this.child);
    return this.child.exitCode ?? this.child.signalCode;
  }
  async kill(signal = "SIGKILL") {
    this.child.kill(signal);
    return this.exit();
  }
  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) await this.kill("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// The Configuration YAML that makes sidecars find each other through one SQLite file.
export function sqliteNameResolution(dbPath) {
  return `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: appconfig
spec:
  nameResolution:
    component: "sqlite"
    version: "v1"
    configuration:
      connectionString: "${dbPath}"
`;
}
