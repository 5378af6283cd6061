// A NATS server of the test's own on a free port, so that a fault test can kill and restart
// the transporter without touching the machine's shared one. Needs nats-server (Debian's
// nats-server package, which .ci/run installs).

import fs from "node:fs";
import { freePort } from "./system.ts";
import { childServer, type ChildServer } from "./child-server.ts";

const NATS_SERVER = "/usr/sbin/nats-server";

export function privateNatsAvailable(): string | undefined {
  if (fs.existsSync(NATS_SERVER)) return undefined;
  const reason = "nats-server not installed";
  if (process.env.CI) throw new Error(`${reason} (CI must run every suite: .ci/run installs nats-server)`);
  return reason;
}

export interface PrivateNats extends ChildServer {
  url: string;
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const server = childServer(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port)], port, 10_000);
  await server.start();
  return { url: `nats://127.0.0.1:${port}`, ...server };
}
