/**
 * The one HTML sanitizer (DOMPurify) that every piece of markup passes through
 * before it reaches the DOM.
 *
 * Public: sanitize(html) → TrustedHTML where the browser has Trusted Types (the
 * page's CSP requires it for innerHTML), a string elsewhere; String() of either
 * is the sanitized markup.
 */
import DOMPurify from "../vendor/dompurify/purify.es.mjs";

const CONFIG = Object.freeze({
  USE_PROFILES: { html: true },
  // Inline styles would only be refused by the CSP (style-src 'self'): drop them here.
  FORBID_ATTR: ["style"],
  // Signed by DOMPurify's own Trusted Types policy ("dompurify" in the CSP).
  RETURN_TRUSTED_TYPE: true,
});

export function sanitize(html) {
  return DOMPurify.sanitize(String(html), CONFIG);
}
