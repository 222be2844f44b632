/**
 * The one HTML sanitizer (DOMPurify), in two strengths:
 *
 * - sanitize(html): every piece of markup, just before it reaches the DOM.
 *   Returns TrustedHTML where the browser has Trusted Types (the page's CSP
 *   requires it for innerHTML; DOMPurify's own policy signs it), else a string.
 * - sanitizeContent(html): rendered text (drafts, model output) before the
 *   studio places it in its own markup. Also drops forms, controls, ids, names
 *   and data/ARIA attributes, so text cannot pose as one of the studio's
 *   controls or take the id of one of its elements. Returns a string.
 *
 * Chromium reports the inline handlers and styles it meets while DOMPurify
 * parses hostile markup (in an inert document) as policy violations in the
 * console; nothing runs, and none of it survives sanitizing.
 */
import DOMPurify from "../vendor/dompurify/purify.es.mjs";

const PAGE = Object.freeze({
  USE_PROFILES: { html: true },
  // Inline styles would only be refused by the CSP (style-src 'self'): drop them here.
  FORBID_TAGS: ["style"],
  FORBID_ATTR: ["style"],
  RETURN_TRUSTED_TYPE: true,
});

const CONTENT = Object.freeze({
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "fieldset", "input", "button", "select", "option", "optgroup", "textarea", "label",
    "output", "dialog"],
  FORBID_ATTR: ["style", "id", "name", "for", "form", "tabindex", "accesskey", "autofocus", "contenteditable"],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
});

export function sanitize(html) {
  return DOMPurify.sanitize(String(html), PAGE);
}

export function sanitizeContent(html) {
  return DOMPurify.sanitize(String(html), CONTENT);
}
