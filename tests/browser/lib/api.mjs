// A small REST client for seeding and checking through the real API.

export class Api {
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  async req(method, path, body) {
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const resp = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await resp.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (_) {
      json = text;
    }
    if (!resp.ok) {
      const err = new Error(`${method} ${path} -> ${resp.status} ${text.slice(0, 300)}`);
      err.status = resp.status;
      err.body = json;
      throw err;
    }
    return json;
  }

  get(path) {
    return this.req("GET", path);
  }
  post(path, body) {
    return this.req("POST", path, body);
  }
  patch(path, body) {
    return this.req("PATCH", path, body);
  }
}

/** A UUID v7 string (the schema's id format for new items). */
export function uuid7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
