import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request with full control over what a browser-based client cannot set: the Host header,
 * Origin, and the local address it comes from (any 127.x.y.z reaches a server on 127.0.0.1).
 */
export function rawRequest(
  baseUrl: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    form?: Record<string, string>;
    localAddress?: string;
  },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        localAddress: options.localAddress,
        agent: false,
        headers: {
          ...(body
            ? {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(body),
              }
            : {}),
          ...options.headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** `name=value` pairs of a response's Set-Cookie headers, for the next request's Cookie header. */
export function cookiesOf(response: RawResponse): string {
  return (response.headers['set-cookie'] ?? []).map((header) => header.split(';')[0]).join('; ');
}

/** Logs in through the real form from `localAddress`; returns the login answer. */
export async function loginFrom(
  baseUrl: string,
  localAddress: string,
  name: string,
  password: string,
): Promise<RawResponse> {
  const form = await rawRequest(baseUrl, { path: '/login', localAddress });
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  return rawRequest(baseUrl, {
    method: 'POST',
    path: '/login',
    localAddress,
    headers: { cookie: cookiesOf(form) },
    form: { name, password, _csrf: token },
  });
}
