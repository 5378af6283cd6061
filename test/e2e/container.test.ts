// test-runner: alone (it builds the image and runs containers: minutes of the machine's CPU)
// The image, built and run for real with podman the way docs/deploy.md does it without a
// registry: base images from Debian and the npm registry (bin/image/make-base.sh), the
// Dockerfile on them, containers on the host's network.
//   1. embedded: the default SQLite database lives in a named volume that the non-root process
//      owns; a new container on the same volume finds the monitor and its pings.
//   2. compose.yaml's embedded service under podman-compose, down and up again on its volume.
//   3. distributed: the migration as a one-shot container, then one container per service
//      against this machine's MariaDB and NATS: ping → flip → webhook to a receiver on the host.
//   node --test test/e2e/container.test.ts

import { before, after, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { api, basic, type Api } from "../support/api.ts";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { needs, scratchDatabase, NATS_URL } from "../support/services.ts";
import { eventually, freePort } from "../support/system.ts";
import { readEnvFile } from "../support/env-file.ts";
import {
  buildImage,
  compose,
  logsOf,
  makeBaseImages,
  notInstalled,
  podman,
  removeAll,
  runDetached,
  runToEnd,
  waitContainerReady,
} from "../support/podman.ts";

const missing = notInstalled("podman");
const composeMissing = notInstalled("podman-compose");
for (const reason of [missing, composeMissing])
  if (reason && process.env.CI) throw new Error(`${reason} (CI must run every suite: .ci/run installs it)`);

const run = randomBytes(3).toString("hex");
const IMAGE = "localhost/heartbeats-test:latest";
const admin: [string, string] = ["admin", "container test password"];
const containers: string[] = [];
const volumes: string[] = [];
const composeProjects: string[] = [];
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

describe("the container image under podman", { skip: missing }, () => {
  before(
    async () => {
      let t0 = Date.now();
      await makeBaseImages();
      const base = seconds(t0);
      t0 = Date.now();
      await buildImage(IMAGE);
      // Shown in the report: how long a CI run spends before the first container starts.
      console.log(`# base images: ${base} (0 when they exist), image build: ${seconds(t0)}`);
    },
    { timeout: 45 * 60_000 },
  );

  after(async () => {
    for (const project of composeProjects) await compose(project, {}, ["down"]).catch(() => {});
    await removeAll(containers, volumes);
    for (const project of composeProjects) await podman(["network", "rm", `${project}_default`]).catch(() => {});
  });

  test("the image: non-root, /app/data a volume, the HEALTHCHECK kept", async () => {
    const [inspected] = JSON.parse(await podman(["image", "inspect", IMAGE]));
    const config = inspected.Config;
    assert.equal(config.User, "1000:1000");
    assert.ok(config.Volumes && "/app/data" in config.Volumes, JSON.stringify(config.Volumes));
    assert.ok(config.Env.includes("DATABASE_URL=sqlite:/app/data/heartbeats.sqlite"), config.Env.join(" "));
    // Docker gives a new named volume the owner of the image's directory (podman gives it the
    // container's user, whatever the image says): the directory itself, no volume on it.
    const owner = await runToEnd(`heartbeats-test-${run}-stat`, IMAGE, {
      env: {},
      entrypoint: ["stat", "-c", "%u:%g %a", "/app/data"],
      imageVolume: "ignore",
    });
    assert.equal(owner.stdout.trim(), "1000:1000 750", `/app/data in the image: ${owner.output}`);
    // Podman's default (OCI) format would have dropped it; --format docker keeps it.
    const health = inspected.Healthcheck ?? config.Healthcheck;
    assert.ok(
      health?.Test?.some((w: string) => w.includes("/healthz")),
      JSON.stringify(health),
    );
  });

  test("embedded: the monitor and its pings outlive the container, in the named volume", async (t: TestContext) => {
    const volume = `heartbeats-test-${run}`;
    volumes.push(volume);
    await podman(["volume", "create", volume]);
    const [port, opsPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    const a = api(base, admin);
    const start = async (name: string) => {
      containers.push(name);
      const t0 = Date.now();
      await runDetached(name, IMAGE, {
        env: {
          PORT: String(port),
          OPS_PORT: String(opsPort),
          HOST: "127.0.0.1",
          ADMIN_USERNAME: admin[0],
          ADMIN_PASSWORD: admin[1],
        },
        volume: `${volume}:/app/data`,
      });
      await waitContainerReady(name, `http://127.0.0.1:${opsPort}/readyz`);
      t.diagnostic(`${name}: ready in ${seconds(t0)}`);
    };

    const first = `heartbeats-test-${run}-first`;
    await start(first);
    assert.equal(await podman(["exec", first, "id", "-u"]), "1000", "the process is not root");
    // The HEALTHCHECK itself, run inside the container as Docker would.
    await podman(["healthcheck", "run", first]);

    const created = await a.call("POST", "/api/v1/monitors", {
      name: "nightly-backup",
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 600 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const m = created.body;
    for (const data of ["first run", "second run"]) {
      const ping = await fetch(`${base}/ping/${m.code}`, {
        method: "POST",
        headers: { authorization: basic(...admin) },
        body: data,
      });
      assert.equal(ping.status, 200, await ping.text());
    }
    const pingsOf = async () =>
      (await a.call("GET", `/api/v1/monitors/${m.id}/pings`)).body.items.map((p: { data: string }) => p.data);
    assert.deepEqual((await pingsOf()).sort(), ["first run", "second run"]);

    // The database is in the volume, written by uid 1000 (the volume took /app/data's owner).
    const mountpoint = await podman(["volume", "inspect", "--format", "{{.Mountpoint}}", volume]);
    assert.equal(fs.statSync(`${mountpoint}/heartbeats.sqlite`).uid, 1000);

    await podman(["stop", "--time", "20", first]);
    assert.equal(await podman(["inspect", "--format", "{{.State.ExitCode}}", first]), "0", await logsOf(first));
    await podman(["rm", first]);

    await start(`heartbeats-test-${run}-second`);
    const found = await a.call("GET", `/api/v1/monitors/${m.id}`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal(found.body.name, "nightly-backup");
    assert.equal(found.body.status, "up");
    assert.deepEqual((await pingsOf()).sort(), ["first run", "second run"]);
  });

  test(
    "compose.yaml's embedded service keeps its database in its volume across down and up",
    { skip: composeMissing },
    async (t: TestContext) => {
      const project = `heartbeats-test-${run}-compose`;
      composeProjects.push(project);
      volumes.push(`${project}_heartbeats-data`);
      const port = await freePort();
      const vars = {
        ...readEnvFile(".env.example"),
        HEARTBEATS_IMAGE: IMAGE,
        HEARTBEATS_PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ADMIN_USERNAME: admin[0],
        ADMIN_PASSWORD: admin[1],
      };
      const base = `http://127.0.0.1:${port}`;
      const a = api(base, admin);
      // The published port (on compose's own network, not the host's) answers /readyz too.
      const up = async () => {
        const t0 = Date.now();
        await compose(project, vars, ["up", "-d", "heartbeats"]);
        await waitContainerReady(`${project}_heartbeats_1`, `${base}/readyz`);
        t.diagnostic(`podman-compose up: ready in ${seconds(t0)}`);
      };
      await up();
      const created = await a.call("POST", "/api/v1/monitors", {
        name: "compose-backup",
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 600 },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await compose(project, vars, ["down"]);
      assert.equal(await podman(["ps", "--all", "--quiet", "--filter", `name=${project}_`]), "", "down removed it");

      await up();
      const found = await a.call("GET", `/api/v1/monitors/${created.body.id}`);
      assert.equal(found.status, 200, JSON.stringify(found.body));
      assert.equal(found.body.name, "compose-backup");
    },
  );

  describe("distributed: one container per service, MariaDB and NATS of this machine", () => {
    let skip: string | undefined;
    let rx: Receiver;
    let drop = async () => {};
    let a: Api;
    let base: string;

    before(
      async () => {
        skip = await needs(["mariadb", "nats"]);
        if (skip) return;
        rx = await startReceiver();
        const db = await scratchDatabase();
        drop = db.drop;
        const common = {
          DATABASE_URL: db.url,
          TRANSPORTER: NATS_URL,
          // A namespace of its own: other suites' processes on the same NATS never answer here.
          NAMESPACE: `hb-container-${run}`,
          HOST: "127.0.0.1",
          NOTIFIER_POLL_MS: "500",
          ALLOW_PRIVATE_WEBHOOKS: "true",
          ADMIN_USERNAME: admin[0],
          ADMIN_PASSWORD: admin[1],
        };
        // The migration first, as a one-shot container (compose.yaml's migrate, k8s' Job).
        const migrate = await runToEnd(`heartbeats-test-${run}-migrate`, IMAGE, {
          env: common,
          entrypoint: ["node", "bin/migrate.ts"],
        });
        assert.equal(migrate.status, 0, migrate.output);

        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        a = api(base, admin);
        const t0 = Date.now();
        await Promise.all(
          ["gateway", "ingest", "registry", "checker", "notifier"].map(async (service) => {
            const name = `heartbeats-test-${run}-${service}`;
            containers.push(name);
            const opsPort = await freePort();
            await runDetached(name, IMAGE, {
              env: {
                ...common,
                SERVICES: service,
                NODE_ID: name,
                PORT: String(service === "gateway" ? port : await freePort()),
                OPS_PORT: String(opsPort),
              },
            });
            await waitContainerReady(name, `http://127.0.0.1:${opsPort}/readyz`);
          }),
        );
        console.log(`# five service containers ready in ${seconds(t0)}`);
      },
      { timeout: 5 * 60_000 },
    );

    after(async () => {
      await rx?.close();
      await drop();
    });

    test("a ping, a missed deadline, the down and up webhooks", async (t: TestContext) => {
      if (skip) return t.skip(skip);
      // The gateway answers once the registry's container has joined it over NATS.
      const hook = await eventually(
        async () => {
          const r = await a.call("POST", "/api/v1/channels", {
            name: "hook",
            type: "webhook",
            config: { url: `${rx.url}/hook` },
          });
          return r.status === 201 ? r.body : null;
        },
        60_000,
        "the registry through the gateway",
        500,
      );
      const created = await a.call("POST", "/api/v1/monitors", {
        name: "every-two-seconds",
        schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
        channels: [hook.id],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const m = created.body;
      const ping = () =>
        fetch(`${base}/ping/${m.code}`, { method: "POST", headers: { authorization: basic(...admin) } });
      assert.equal((await ping()).status, 200);
      await eventually(async () => (await a.call("GET", `/api/v1/monitors/${m.id}`)).body.status === "up", 5000, "up");

      const hookFor = (event: string) =>
        rx.requests.filter((r) => r.path === "/hook" && r.json?.monitor?.id === m.id && r.json.event === event);
      const t0 = Date.now();
      await eventually(async () => hookFor("down").length === 1, 20_000, "the down webhook");
      t.diagnostic(`last ping → down webhook: ${seconds(t0)}`);
      assert.equal(hookFor("down")[0]!.json.monitor.name, "every-two-seconds");

      assert.equal((await ping()).status, 200);
      await eventually(async () => hookFor("up").length === 1, 10_000, "the up webhook");
      const flips = (await a.call("GET", `/api/v1/monitors/${m.id}/flips`)).body.items;
      const path = flips.map((f: { from: string; to: string }) => `${f.from}>${f.to}`).reverse();
      // A checker that wakes after both deadlines goes straight from up to down (a loaded machine).
      assert.ok(
        ["new>up,up>late,late>down,down>up", "new>up,up>down,down>up"].includes(path.join(",")),
        path.join(" "),
      );
    });
  });
});
