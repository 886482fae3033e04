// Browsers read `\` as `/` and drop tabs and newlines inside URLs, so `/\evil.example` and
// `/%5Cevil.example` (once decoded by a proxy or the browser) lead off-site like `//evil.example`.
// A redirect target taken from a request is kept only if it is a plain path on this site.
const plainPath = /^\/(?![/\\])[^\\\u0000-\u001f\u007f]*$/;

/** `target` when it is a same-origin relative path, else `fallback`. */
export function sameSiteTarget(target: string | undefined, fallback: string): string {
  if (!target || !plainPath.test(target)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return fallback;
  }
  // Encoded slashes, backslashes and control characters are refused too: something may decode them.
  return plainPath.test(decoded) ? target : fallback;
}
