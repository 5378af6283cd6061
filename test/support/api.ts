// A tiny client for the REST API and the ping URLs, with HTTP basic auth.

export interface Api {
  base: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    auth?: [string, string] | null,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export function basic(user: string, pass: string): string {
  return "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
}

export function api(base: string, defaultAuth: [string, string]): Api {
  return {
    base,
    async call(method, path, body, auth = defaultAuth) {
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = basic(...auth);
      let payload: string | undefined;
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        payload = typeof body === "string" ? body : JSON.stringify(body);
      }
      const res = await fetch(base + path, { method, headers, body: payload });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* plain text answer */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

/** A monitor as the API answers it, loosely typed for tests. */
export type MonitorBody = { id: number; code: string; name: string; status: string; [k: string]: any };

/** Monitors through the API: created hourly on `channels` unless `body` says otherwise, pinged, read back. */
export function monitorsOf(a: Api, channels: () => number[]) {
  return {
    async create(body: Record<string, unknown>): Promise<MonitorBody> {
      const res = await a.call("POST", "/api/v1/monitors", {
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
        channels: channels(),
        ...body,
      });
      if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    /** `/ping/CODE` with `suffix` (`/start`, `/fail`, …); fails unless answered 200 */
    async ping(m: { code: string }, suffix = ""): Promise<void> {
      const res = await fetch(`${a.base}/ping/${m.code}${suffix}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`ping ${suffix}: ${res.status} ${text}`);
    },
    async get(m: { id: number }): Promise<MonitorBody> {
      return (await a.call("GET", `/api/v1/monitors/${m.id}`)).body;
    },
  };
}
