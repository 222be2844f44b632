/**
 * <muse-spark>: the MuseSpark studio inside a creator's own page. Load this module from
 * the studio's origin and place the element (messages: assets/embed-protocol.js):
 *
 *   <script type="module" src="STUDIO/assets/embed.js"></script>
 *   <muse-spark src="STUDIO/" formats="blog post,newsletter" theme="dark" compact></muse-spark>
 *
 * (STUDIO: the address the studio is served from.)
 *
 * Attributes: `src` the studio's address (its own query, e.g. `?model=…`, is kept);
 * `formats` the format presets to offer; `theme` light or dark; `compact` a tighter
 * layout. They reach the studio as URL parameters. Size the element with CSS (it is a
 * block, 48rem high unless styled).
 *
 * API: `element.sendBrief({topic, format, tone, audience, keywords, avoid, count},
 * {spark})` fills the studio's brief form (and sparks ideas with `spark: true`); it
 * throws a TypeError for a brief of the wrong shape and waits for the studio to be ready.
 * Events: `musespark:ready`; `musespark:text` with `detail: {text, record}` when the
 * creator presses "Send to …" (record: the draft's signed provenance record);
 * `musespark:error` with `detail: {message}` when the studio refused a message.
 * The studio answers only origins listed in its own embed.json.
 *
 * Exports: MuseSparkElement (defined as `muse-spark`).
 */
import { PROTOCOL_VERSION, messageProblem, protocolMessage } from "./embed-protocol.js";

const SHEET = new CSSStyleSheet();
SHEET.replaceSync(":host { display: block; height: 48rem; } iframe { display: block; width: 100%; height: 100%; border: 0; }");

export class MuseSparkElement extends HTMLElement {
  static observedAttributes = ["src", "formats", "theme", "compact"];

  #frame = document.createElement("iframe");
  #studioOrigin = null;
  #ready = false;
  #waiting = [];

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [SHEET];
    this.#frame.title = "MuseSpark writing studio";
    this.#frame.allow = "clipboard-write";
    // What the studio needs (its own storage and workers, the brief form, exports);
    // no top-level navigation, pop-ups or dialogs over the host page.
    this.#frame.sandbox = "allow-scripts allow-same-origin allow-forms allow-downloads";
    this.#frame.addEventListener("load", () => {
      this.#ready = false;
      this.#post(protocolMessage("hello"));
    });
    root.append(this.#frame);
  }

  connectedCallback() {
    window.addEventListener("message", this.#onMessage);
    this.#load();
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#load();
  }

  /** Fill the studio's brief form; with `{spark: true}` it sparks ideas too. */
  sendBrief(brief, { spark = false } = {}) {
    const message = protocolMessage("brief", { brief, spark });
    const problem = messageProblem(message);
    if (problem) throw new TypeError(`MuseSpark: ${problem}`);
    if (this.#ready) this.#post(message);
    else this.#waiting.push(message);
  }

  #load() {
    const src = this.getAttribute("src");
    if (!src) {
      console.warn("<muse-spark> needs a src attribute: the studio's address.");
      return;
    }
    const url = new URL(src, document.baseURI);
    for (const name of ["formats", "theme"]) {
      if (this.hasAttribute(name)) url.searchParams.set(name, this.getAttribute(name));
    }
    if (this.hasAttribute("compact")) url.searchParams.set("compact", "");
    else url.searchParams.delete("compact");
    if (url.href === this.#frame.src) return;
    this.#studioOrigin = url.origin;
    this.#ready = false;
    this.#frame.src = url.href;
  }

  #post(message) {
    this.#frame.contentWindow?.postMessage(message, this.#studioOrigin);
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(`musespark:${name}`, { detail, bubbles: true, composed: true }));
  }

  #onMessage = (event) => {
    if (event.source !== this.#frame.contentWindow || event.origin !== this.#studioOrigin) return;
    const { type, version } = event.data ?? {};
    if (version !== PROTOCOL_VERSION) {
      this.#emit("error", { message: `the studio speaks protocol version ${version}; this element speaks ${PROTOCOL_VERSION}` });
    } else if (type === "ready") {
      this.#ready = true;
      for (const message of this.#waiting.splice(0)) this.#post(message);
      this.#emit("ready", {});
    } else if (type === "text") {
      this.#emit("text", { text: event.data.text, record: event.data.record });
    } else if (type === "error") {
      this.#emit("error", { message: event.data.message });
    }
  };
}

if (!customElements.get("muse-spark")) customElements.define("muse-spark", MuseSparkElement);
