// The console's one way to the REST API: every request carries the bearer token the user entered (kept in
// sessionStorage, so it goes with the tab), and every error becomes an ApiError with the server's message.

const TOKEN_KEY = 'fairway.console.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

export function authHeaders(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  const t = token();
  if (t) {
    h.Authorization = 'Bearer ' + t;
  }
  return h;
}

/** A non-2xx answer: status, the server's JSON body (if any) and its message. */
export class ApiError extends Error {
  constructor(method, path, status, body) {
    const said = body && body.error ? body.error : (typeof body === 'string' && body ? body : 'HTTP ' + status);
    super(said);
    this.method = method;
    this.path = path;
    this.status = status;
    this.body = body || {};
  }

  /** What to tell the user, with a hint when a token would help. */
  describe() {
    let hint = '';
    if (this.status === 401) {
      hint = token() ? ' (the token was refused: set another, or clear it)' : ' (enter a token in the header)';
    } else if (this.status === 403) {
      hint = ' (this token may read but not change anything: an admin token is needed)';
    } else if (this.status === 404 && this.body && /no API endpoint/.test(this.body.error || '')) {
      hint = ' (this replica does not serve that endpoint yet)';
    }
    return `${this.method} ${this.path}: ${this.status} ${this.message}${hint}`;
  }
}

/** Paths are relative (api/v1/…), so the console works behind a proxy under any prefix. */
function url(path, params) {
  const u = new URL(path, document.baseURI);
  if (params) {
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== '') {
        u.searchParams.set(k, v);
      }
    }
  }
  return u;
}

async function answer(method, path, res) {
  const text = await res.text();
  let body = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    // not JSON: kept as text for the message
  }
  if (!res.ok) {
    throw new ApiError(method, path, res.status, body);
  }
  return body;
}

export async function get(path, params, signal) {
  const res = await fetch(url(path, params), { headers: authHeaders(), signal });
  return answer('GET', path, res);
}

export async function post(path, json, signal) {
  const res = await fetch(url(path), {
    method: 'POST',
    headers: authHeaders({ 'Content-Type': 'application/json' }),
    body: JSON.stringify(json),
    signal,
  });
  return answer('POST', path, res);
}

/**
 * Reads a text/event-stream with fetch (EventSource cannot send the Authorization header, and a token never goes in
 * a URL) and calls onEvent(type, data) per event. Resolves when the stream ends; rejects with an ApiError when the
 * server refuses it.
 */
export async function readEventStream(path, onEvent, signal) {
  const res = await fetch(url(path), { headers: authHeaders({ Accept: 'text/event-stream' }), signal });
  if (!res.ok || !res.body) {
    await answer('GET', path, res);
    throw new ApiError('GET', path, res.status, 'no body');
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventStreamParser(onEvent);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    parser.push(value);
  }
}

/** The text/event-stream format (HTML spec §9.2): fields per line, an empty line ends an event. */
export class EventStreamParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.type = '';
    this.data = [];
  }

  push(chunk) {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // a lone \r at the end may be the first half of \r\n: wait for the next chunk
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) {
        return;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      if (this.data.length) {
        this.onEvent(this.type || 'message', this.data.join('\n'));
      }
      this.type = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) {
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'event') {
      this.type = value;
    } else if (field === 'data') {
      this.data.push(value);
    }
  }
}
