/**
 * The page's side of the model worker: owns the Worker, numbers requests,
 * routes events back to their callers, and turns an AbortSignal into a soft
 * abort (the worker stops at the next token) followed, if the worker does not
 * answer in time, by a hard one (terminate; the next request starts a fresh
 * worker, which reloads the model it names).
 *
 * A worker that dies — an uncaught error, or silently (closed, terminated, out
 * of memory) — fails every pending request with WorkerCrashedError and fires
 * "crash"; the next request starts a fresh worker. So does a model request for
 * another device (WASM or WebGPU) while nothing is pending: a worker's ONNX Runtime
 * build is fixed at its first load.
 *
 * Public: ModelClient — load(spec, {onProgress}), generate(spec, messages,
 * options, {onToken, signal, prefill, samples, stopAtLineEnd}), embed(spec, texts), reset(), and
 * "progress"/"ready"/"crash" events.
 */
import { DoneReason, ErrorName, Event, Request, message, namedError } from "./protocol.js";

const HARD_ABORT_AFTER_MS = 1500;

export class ModelClient extends EventTarget {
  #workerUrl;
  #worker = null;
  #nextId = 1;
  /** Pending requests by id: {resolve, reject, onToken, onProgress}. */
  #pending = new Map();
  /** The ONNX Runtime build the worker started with: "webgpu" once asked for a model there. */
  #device = "wasm";

  constructor(workerUrl = new URL("./model-worker.js", import.meta.url)) {
    super();
    this.#workerUrl = workerUrl;
  }

  #ensureWorker() {
    if (this.#worker) return this.#worker;
    // A name no other worker of this origin has: the worker holds a Web Lock by that name.
    const name = navigator.locks ? `model ${crypto.randomUUID()}` : "model";
    const worker = new Worker(this.#workerUrl, { type: "module", name });
    worker.addEventListener("message", ({ data }) => {
      if (data?.type === Event.STARTED) this.#watchLifetime(worker, name);
      else this.#route(data);
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.#crash(`The model worker stopped unexpectedly (${event.message || "no detail"}).`);
    });
    worker.addEventListener("messageerror", () => this.#crash("The model worker sent an unreadable message."));
    this.#worker = worker;
    return worker;
  }

  #route(data) {
    const pending = this.#pending.get(data?.id);
    switch (data?.type) {
      case Event.PROGRESS:
        // Downloads still running when a load has already failed say nothing useful.
        if (!pending) return;
        pending.onProgress?.(data);
        this.dispatchEvent(new CustomEvent("progress", { detail: data }));
        return;
      case Event.TOKEN:
        pending?.onToken?.(data.text);
        return;
      case Event.READY:
        this.dispatchEvent(new CustomEvent("ready", { detail: data }));
        if (pending?.kind !== Request.LOAD) return; // a generate that had to (re)load goes on
        break;
      case Event.ERROR:
        this.#pending.delete(data.id);
        pending?.reject(namedError(data.name, data.message));
        return;
      case Event.DONE:
      case Event.EMBEDDINGS:
        break;
      default:
        return;
    }
    this.#pending.delete(data.id);
    pending?.resolve(data);
  }

  /** The lock the worker holds while it lives is ours once it has ended: if it ended on its
   * own (not replaced by this client), that is a crash. */
  #watchLifetime(worker, name) {
    navigator.locks.request(name, () => {
      if (this.#worker === worker) {
        this.#crash("The model worker stopped unexpectedly (it may have run out of memory).");
      }
    });
  }

  #crash(text) {
    this.#worker?.terminate();
    this.#worker = null;
    const failed = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of failed) pending.reject(namedError(ErrorName.WORKER_CRASHED, text));
    this.dispatchEvent(new CustomEvent("crash", { detail: { message: text } }));
  }

  #request(type, fields, callbacks = {}) {
    const id = this.#nextId++;
    const device = fields.model && (fields.model.device === "webgpu" ? "webgpu" : "wasm");
    if (device && this.#worker && this.#device !== device && this.#pending.size === 0) {
      this.#worker.terminate();
      this.#worker = null;
    }
    if (!this.#worker) this.#device = device ?? "wasm";
    const worker = this.#ensureWorker();
    const result = new Promise((resolve, reject) => {
      this.#pending.set(id, { kind: type, resolve, reject, ...callbacks });
    });
    worker.postMessage(message(type, id, fields));
    return { id, result };
  }

  /** Load and warm up a model; resolves with the worker's `ready` event. */
  load(spec, { onProgress } = {}) {
    return this.#request(Request.LOAD, { model: spec }, { onProgress }).result;
  }

  /**
   * Stream a chat completion. Resolves with the `done` event (reason, tokens,
   * timings); an aborted generation resolves with reason "aborted".
   */
  generate(spec, messages, options = {}, { onToken, onProgress, signal, prefill = "", ...many } = {}) {
    if (signal?.aborted) return Promise.resolve({ type: Event.DONE, reason: DoneReason.ABORTED, tokens: 0 });
    const { id, result } = this.#request(
      Request.GENERATE,
      { model: spec, messages, options, prefill, samples: many.samples ?? 1, stopAtLineEnd: Boolean(many.stopAtLineEnd) },
      { onToken, onProgress },
    );
    if (!signal) return result;
    const onAbort = () => this.#abort(id);
    signal.addEventListener("abort", onAbort, { once: true });
    return result.finally(() => signal.removeEventListener("abort", onAbort));
  }

  #abort(id) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#worker?.postMessage(message(Request.ABORT, id));
    setTimeout(() => {
      if (!this.#pending.has(id)) return;
      // The worker did not stop in time (e.g. still loading): replace it.
      this.#pending.delete(id);
      this.#worker?.terminate();
      this.#worker = null;
      for (const other of this.#pending.values()) {
        other.reject(namedError(ErrorName.ABORTED, "The model worker was restarted to stop a generation."));
      }
      this.#pending.clear();
      pending.resolve({ type: Event.DONE, id, reason: DoneReason.ABORTED, tokens: 0, hard: true });
    }, HARD_ABORT_AFTER_MS);
  }

  /** Sentence vectors of `texts` from the embedding model `spec`; resolves with {vectors}. */
  embed(spec, texts) {
    return this.#request(Request.EMBED, { embedder: spec, texts }).result;
  }

  /** Drop the loaded model (frees its memory). */
  reset() {
    return this.#request(Request.RESET, {}).result;
  }
}
