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
