// No secret ever reaches a log line or an API answer: a whole run at LOG_LEVEL=debug that uses
// every kind of secret — the admin's and users' passwords (right and wrong), basic auth on
// pings, the session cookie and CSRF token, SMTP credentials in SMTP_URL, webhook URLs, headers
// and HMAC keys, chat-bot tokens, PagerDuty keys, an SSH key and its passphrase — with sends
// and polls that fail, since error paths are where secrets leak. Then every secret is looked
// for in everything the process printed and everything the API answered.

import { test } from "node:test";
import assert from "node:assert/strict";
import { freePort, stopProcess, eventually } from "../support/system.ts";
import { basic } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";
import { startReceiver } from "../support/receiver.ts";

const S = {
  admin: "admin-pass-Q7ZK1",
  user: "user-pass-Q7ZK2",
  wrong: "wrong-pass-Q7ZK3",
  smtp: "smtp-pass-Q7ZK4",
  hookPath: "hook-token-Q7ZK5",
  hookHeader: "hdr-Q7ZK6",
  hmac: "hmac-key-Q7ZK7-0123456789",
  telegram: "tgtoken-Q7ZK8",
  pagerduty: "PDQ7ZK90123456789012345678901234",
  slack: "slackQ7ZK10",
  sshKey: "sshkeymaterialQ7ZK11",
  passphrase: "passphrase-Q7ZK12",
};

test(
  "no secret in any log line or API answer, at LOG_LEVEL=debug, through failures",
  { timeout: 120_000 },
  async (t) => {
    const rx = await startReceiver();
    // The webhook answers 500 once (an error path) and then 200.
    let answered = 0;
    rx.respond("*", () => (answered++ === 0 ? { status: 500, body: "boom" } : { status: 200, body: "ok" }));
    const closedPort = await freePort();
    let server: Server | null = null;
    const answers: string[] = [];
    try {
      server = await startServer(
        "leaks",
        {
          LOG_LEVEL: "debug",
          ALLOW_PRIVATE_WEBHOOKS: "true",
          NOTIFIER_POLL_MS: "500",
          DELIVERY_RETRY_FIRST_DELAY: "1",
          SMTP_URL: `smtp://alerts:${S.smtp}@127.0.0.1:${closedPort}`,
          ALERT_TO: "ops@test.local",
          CHANNEL_TIMEOUT_MS: "1500",
          SSH_CONNECT_TIMEOUT: "1",
        },
        { admin: ["root", S.admin] },
      );
      const { base, api: a } = server;
      const call = async (method: string, p: string, body?: unknown, auth?: [string, string] | null) => {
        const r = await a.call(method, p, body, auth);
        answers.push(JSON.stringify(r.body));
        return r;
      };

      assert.equal(
        (await call("POST", "/api/v1/users", { username: "ann", password: S.user, role: "admin" })).status,
        201,
      );
      assert.equal((await call("GET", "/api/v1/monitors", undefined, ["ann", S.wrong])).status, 401);
      assert.equal((await call("GET", "/api/v1/monitors", undefined, ["ann", S.user])).status, 200);
      // A browser session: its token and CSRF token are secrets too.
      const login = await fetch(`${base}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "ann", password: S.user }),
      });
      const session = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
      const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
      assert.ok(session && csrf);
      await fetch(`${base}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "ann", password: S.wrong }),
      });

      const channels = [
        {
          name: "hook",
          type: "webhook",
          config: { url: `${rx.url}/${S.hookPath}`, secret: S.hmac, headers: { "X-Api-Key": S.hookHeader } },
        },
        { name: "tg", type: "telegram", config: { botToken: `123456:${S.telegram}`, chatId: "42" } },
        { name: "pd", type: "pagerduty", config: { routingKey: S.pagerduty } },
        { name: "slack", type: "slack", config: { url: `https://hooks.slack.com/services/T000/B000/${S.slack}` } },
      ];
      const ids: number[] = [];
      for (const c of channels) {
        const r = await call("POST", "/api/v1/channels", c);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids.push(r.body.id);
      }
      const email = (await call("GET", "/api/v1/channels")).body.items.find(
        (c: { managedBy: string | null }) => c.managedBy === "environment",
      );
      for (const id of ids) await call("POST", `/api/v1/channels/${id}/test`, {});
      await call("GET", `/api/v1/channels/${ids[0]}`);

      // A monitor that goes down (never pinged) and alerts every channel, each failing its own way.
      const m = (
        await call("POST", "/api/v1/monitors", {
          name: "leaky",
          schedule: { kind: "interval", periodSeconds: 1, graceSeconds: 1 },
          channels: [...ids, email.id],
        })
      ).body;
      // A ping with basic auth, right and wrong.
      assert.equal(
        (await fetch(`${base}/ping/${m.code}`, { headers: { authorization: basic("ann", S.user) } })).status,
        200,
      );
      assert.equal(
        (
          await fetch(`${base}/api/pings/?service=${m.code}&data=x`, {
            method: "POST",
            headers: { authorization: basic("ann", S.wrong) },
          })
        ).status,
        401,
      );

      // A host whose key and passphrase are used on a port where nothing listens.
      const host = await call("POST", "/api/v1/hosts", {
        name: "db-1",
        address: "127.0.0.1",
        port: closedPort,
        username: "monitor",
        passphrase: S.passphrase,
        privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${S.sshKey}\n-----END OPENSSH PRIVATE KEY-----\n`,
        checks: ["cpu > 90"],
      });
      assert.equal(host.status, 201, JSON.stringify(host.body));
      await call("POST", `/api/v1/hosts/${host.body.id}/check`, {});
      await call("GET", `/api/v1/hosts/${host.body.id}`);

      // Wait for the outbox to have tried every channel of the down flip at least once.
      await eventually(
        async () => {
          const n = (await a.call("GET", `/api/v1/monitors/${m.id}/notifications`)).body;
          answers.push(JSON.stringify(n));
          const items = (n.items ?? []) as { attempts: number }[];
          return items.length >= 5 && items.every((d) => d.attempts >= 1) ? true : null;
        },
        30_000,
        "every channel attempted",
      );
      await call("GET", "/api/v1/channels");
      await call("GET", "/api/v1/hosts");
      await call("GET", "/api/v1/users");
      await stopProcess(server.proc);

      const logs = server.proc.output.join("");
      t.diagnostic(`${logs.split("\n").length} log lines and ${answers.length} API answers searched`);
      assert.ok(/alert .* failed/.test(logs), "failed sends were logged (the error paths ran)");
      for (const [what, secret] of Object.entries({ ...S, session: session.split("=")[1]!, csrf })) {
        assert.ok(
          !logs.includes(secret),
          `${what} appears in the logs:\n${logs
            .split("\n")
            .filter((l) => l.includes(secret))
            .slice(0, 3)
            .join("\n")}`,
        );
        for (const body of answers)
          assert.ok(
            !body.includes(secret) || what === "csrf",
            `${what} appears in an API answer: ${body.slice(0, 300)}`,
          );
      }
    } finally {
      await server?.stop();
      await rx.close();
    }
  },
);
