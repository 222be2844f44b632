/**
 * The page's Trusted Types default policy. The Content-Security-Policy requires
 * Trusted Types for every script sink (`require-trusted-types-for 'script'`);
 * this policy decides what a plain string may become, so it must exist before
 * any other script runs: index.html loads it as a classic script in <head>.
 *
 * It admits only what the runtime needs and refuses the rest (the browser then
 * blocks the sink and reports a violation):
 * - script URLs of the page's own origin (the model worker);
 * - script source: exactly the functions PyScript builds from its own start-up
 *   hooks with Function() (one in PyScript 0.7.31; a new PyScript version may
 *   build another: the refusal in the console shows it, and the e2e CSP test fails);
 * - HTML: never. The studio's markup arrives as TrustedHTML from DOMPurify
 *   (assets/sanitizer.js), whose own policy signs only what it has sanitized.
 */
(() => {
  "use strict";
  if (!globalThis.trustedTypes?.createPolicy) return; // no Trusted Types here: the CSP alone applies

  /** Bodies of the functions PyScript 0.7.31 generates (its hook runner around its own hooks). */
  const PYSCRIPT_FUNCTION_BODIES = new Set([
    "return(w,x)=>(async(e,t,...n)=>{for(const r of n)await r(e,t)})(w,x,...[({interpreter:e})=>" +
      '{e.registerJsModule("_pyscript",{fs:{ERROR:"storage permissions not granted",NAMESPACE:"@pyscript.fs"},' +
      "interpreter:e})}])",
  ]);
  /** How Function(body) reaches the policy: the whole source of an anonymous function. */
  const ANONYMOUS_FUNCTION = /^\(?function anonymous\(\n\) \{\n([\s\S]*)\n\}\)?$/;

  const refuse = (kind, value) => {
    console.error(`Trusted Types: refused ${kind}: ${JSON.stringify(String(value).slice(0, 300))}`);
    return null;
  };

  trustedTypes.createPolicy("default", {
    createHTML: (html) => refuse("HTML (sanitize it with DOMPurify)", html),
    createScript(source) {
      const body = ANONYMOUS_FUNCTION.exec(source)?.[1];
      return PYSCRIPT_FUNCTION_BODIES.has(body) ? source : refuse("script", source);
    },
    createScriptURL(url) {
      let parsed = null;
      try {
        parsed = new URL(url, document.baseURI);
      } catch {
        // not a URL at all: refused below
      }
      // blob: and data: URLs hold code made from strings (a blob: URL even has this origin).
      const sameOrigin = parsed?.origin === location.origin && /^https?:$/.test(parsed.protocol);
      return sameOrigin ? url : refuse("script URL", url);
    },
  });
})();
