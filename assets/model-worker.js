/**
 * The model worker: runs transformers.js (ONNX Runtime Web, on WASM or WebGPU) off the
 * main thread so the page never freezes. Speaks only the messages in protocol.js.
 *
 * One model is loaded lazily, warmed up, and kept; a `generate` naming another
 * model (or arriving at a fresh worker after a hard abort) loads that one first.
 * A model asked for on WebGPU that fails to load there, or fails while it writes, runs
 * on WASM instead, and the `ready` event says why. ONNX Runtime's build is chosen at the
 * first load (the WebGPU one can also run WASM); the client starts a fresh worker when
 * the device changes. The sentence-embedding model (for judging ideas) loads on its
 * first `embed`, always on WASM.
 */
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  InterruptableStoppingCriteria,
  TextStreamer,
  env,
  pipeline,
} from "../vendor/transformers/transformers.min.js";
import { PromptCache } from "./prompt-cache.js";
import { sampleReplies } from "./sampling.js";
import { DoneReason, ErrorName, Event, Request, message, namedError } from "./protocol.js";

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.useBrowserCache = false; // the page's own HTTP/service-worker caching keeps model files
env.useWasmCache = false; // no blob: re-import of ONNX Runtime (a strict CSP forbids it)

/**
 * A model of the deployment's model host (`spec.host`, another origin; `spec.hashes`: the
 * sha256 its catalogue lists for each file). transformers.js reads an http URL as a hub's, which
 * it may not use here, so the model is named by a path under HOSTED_PATH, which `env.fetch` maps
 * to the host (the service worker serves the saved copy). Each whole file is checked against its
 * sha256 before it is used.
 */
const HOSTED_PATH = "/model-host/";
let modelHost = null;

const hex = (buffer) => [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

env.fetch = async (input, init) => {
  const url = String(input);
  if (!modelHost || !url.startsWith(HOSTED_PATH)) return fetch(input, init);
  const file = url.slice(HOSTED_PATH.length); // "<id>/<path in its folder>"
  const response = await fetch(new URL(file, modelHost.url), init);
  // A range request (transformers.js asks one byte for a file's size), or a failure it reports.
  if (response.status !== 200 || new Headers(init?.headers).has("Range")) return response;
  const expected = modelHost.hashes[file.slice(file.indexOf("/") + 1)];
  const body = await response.arrayBuffer();
  if (!expected || hex(await crypto.subtle.digest("SHA-256", body)) !== expected) {
    // transformers.js reports a failed fetch as a missing file: the load's error names this instead.
    const where = new URL(file, modelHost.url).href;
    modelHost.failure = `${where} is not the file the model host lists (its sha256 differs)`;
    throw new Error(modelHost.failure);
  }
  return new Response(body, { status: 200, headers: response.headers });
};
const modelName = (spec) => (spec.host ? `${HOSTED_PATH}${spec.id}` : spec.id);

/** ONNX Runtime's files: the plain build (smaller, faster to start) or the one with WebGPU. */
const RUNTIMES = {
  wasm: ["../vendor/ort/", "ort-wasm-simd-threaded"],
  webgpu: ["../vendor/ort-webgpu/", "ort-wasm-simd-threaded.asyncify"],
};
/** The build this worker has started ONNX Runtime with (it cannot change afterwards). */
let runtime = null;

function useRuntime(device) {
  runtime ??= device === "webgpu" ? "webgpu" : "wasm";
  const [folder, name] = RUNTIMES[runtime];
  const dir = new URL(folder, import.meta.url);
  env.backends.onnx.wasm.wasmPaths = { mjs: new URL(`${name}.mjs`, dir).href, wasm: new URL(`${name}.wasm`, dir).href };
}
/** Why WebGPU failed in this worker, once it has: every later load runs on WASM. */
let gpuFailure = "";

/** The model loaded or loading: {key, loading: Promise<{tokenizer, model, loadMs, warmupMs}>}. */
let current = null;
/** The KV cache of the last prompt, for the next one that starts the same way. */
const prompts = new PromptCache();
/** The embedding model loaded or loading: {key, loading: Promise<pipeline>}. */
let embedder = null;
/** Stopping criteria of running generations, by request id. */
const running = new Map();
/** Generations waiting for their model to load, by request id, and those stopped meanwhile. */
const waiting = new Set();
const aborted = new Set();

// Lets ONNX Runtime fold the int8 models' DequantizeLinear weights into fp32 when the
// session is created (otherwise they are restored at every step: ten times slower).
const FOLD_INT8_WEIGHTS = { extra: { session: { disable_quant_qdq: "1" } } };

const post = (type, id, fields) => self.postMessage(message(type, id, fields));

/** Run pending tasks (an incoming `abort`) before continuing. */
const yieldToEventLoop = () =>
  globalThis.scheduler?.yield ? globalThis.scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));

/**
 * ONNX Runtime's WASM run never yields to the event loop, so a whole generation
 * would finish before an `abort` message is even read: yield before each step.
 */
function yieldBetweenSteps(model) {
  const forward = model.forward.bind(model);
  model.forward = async (inputs) => {
    await yieldToEventLoop();
    return forward(inputs);
  };
  return model;
}

/**
 * The model's confidence in what it wrote: a logits processor (run last, after the
 * repetition penalty and temperature) keeps each step's log-softmax, and the streamer's
 * token callback adds the log-probability of the token that was chosen from it.
 */
function chosenLogprobs() {
  let step = null;
  let total = 0;
  return {
    processor(_ids, logits) {
      const scores = logits[0].data;
      let max = -Infinity;
      for (const score of scores) if (score > max) max = score;
      let sum = 0;
      for (const score of scores) sum += Math.exp(score - max);
      const shift = max + Math.log(sum);
      step = (token) => scores[token] - shift;
      return logits;
    },
    chose(tokens) {
      if (step && tokens.length === 1) total += step(Number(tokens[0]));
      step = null;
    },
    get total() {
      return Number.isFinite(total) ? total : 0;
    },
  };
}

function specKey(spec) {
  return `${spec.path}${spec.id}@${spec.dtype}/${spec.device ?? "wasm"}`;
}

function readyFields(spec, loaded) {
  const { device, dtype, note, loadMs, warmupMs } = loaded;
  return { model: spec.id, device, dtype, note, loadMs, warmupMs };
}

function describeLoadFailure(spec, error) {
  const text = String(error?.message ?? error);
  const where = `${spec.path}${spec.id}/`;
  if (spec.host && modelHost?.failure) {
    return namedError(ErrorName.MODEL_LOAD, `${modelHost.failure}, so the model was not loaded.`);
  }
  if (spec.host) {
    return namedError(ErrorName.MODEL_LOAD, `The model "${spec.id}" could not be loaded from the model host ` +
      `(${where}): check that the host is reachable and still lists it. (${text})`);
  }
  if (/could not locate file|404|not found/i.test(text)) {
    return namedError(
      ErrorName.MODEL_NOT_FOUND,
      `The model "${spec.id}" was not found at ${where}. Run the set-up (python serve.py) to build it.`,
    );
  }
  return namedError(
    ErrorName.MODEL_LOAD,
    `The model "${spec.id}" could not be loaded; its files may be damaged. ` +
      `Run the set-up again to rebuild ${where}. (${text})`,
  );
}

function checkSpec(spec) {
  if (!spec || typeof spec.id !== "string" || typeof spec.path !== "string") {
    throw namedError(ErrorName.BAD_REQUEST, "A model request must name {id, dtype, path}.");
  }
}

/** The model on `device` in `dtype`, warmed up with one token. */
async function loadOn(spec, device, dtype, progress_callback) {
  const started = performance.now();
  const tokenizer = await AutoTokenizer.from_pretrained(modelName(spec), { progress_callback });
  const model = yieldBetweenSteps(
    await AutoModelForCausalLM.from_pretrained(modelName(spec), { dtype, device, progress_callback, session_options: FOLD_INT8_WEIGHTS }),
  );
  const loadMs = performance.now() - started;
  const warmStart = performance.now();
  try {
    await model.generate({ ...tokenizer("Hi"), max_new_tokens: 1, do_sample: false });
  } catch (error) {
    await model.dispose().catch(() => {});
    throw error;
  }
  return { tokenizer, model, device, dtype, note: "", loadMs, warmupMs: performance.now() - warmStart };
}

const gpuNote = (why) => `WebGPU failed (${why}), so the model runs on the processor (WASM).`;

async function loadModel(spec, id) {
  checkSpec(spec);
  const key = specKey(spec);
  if (current?.key === key) return current.loading;
  if (current) await dispose();
  env.localModelPath = spec.path;
  if (spec.host) modelHost = { url: spec.host, hashes: spec.hashes ?? {} };
  const progress_callback = (info) => {
    if (info.status === "progress") {
      post(Event.PROGRESS, id, { file: info.file, loaded: info.loaded, total: info.total });
    }
  };
  const onWasm = () => loadOn(spec, "wasm", spec.wasmDtype ?? spec.dtype, progress_callback);
  const loading = (async () => {
    useRuntime(spec.device);
    try {
      if (spec.device !== "webgpu") return await onWasm();
      if (gpuFailure) return { ...(await onWasm()), note: gpuNote(gpuFailure) };
      try {
        return await loadOn(spec, "webgpu", spec.dtype, progress_callback);
      } catch (error) {
        gpuFailure = String(error?.message ?? error).slice(0, 200);
        return { ...(await onWasm()), note: gpuNote(gpuFailure) };
      }
    } catch (error) {
      throw describeLoadFailure(spec, error);
    }
  })();
  current = { key, loading };
  try {
    const loaded = await loading;
    // Every load is announced, including one a `generate` caused in a fresh worker.
    post(Event.READY, id, readyFields(spec, loaded));
    return loaded;
  } catch (error) {
    if (current?.key === key) current = null;
    throw error;
  }
}

async function dispose() {
  const previous = current;
  current = null;
  prompts.clear();
  try {
    const loaded = await previous?.loading;
    await loaded?.model?.dispose();
  } catch {
    // a model that failed to load has nothing to release
  }
}

async function generate(request) {
  const { id, messages, options = {}, prefill = "", samples = 1, stopAtLineEnd = false } = request;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw namedError(ErrorName.BAD_REQUEST, "A generation needs at least one chat message.");
  }
  waiting.add(id);
  let loaded;
  try {
    loaded = await loadModel(request.model, id);
  } catch (error) {
    if (!aborted.has(id)) throw error;
  } finally {
    waiting.delete(id);
  }
  if (aborted.delete(id)) return; // stopped while the model loaded: already answered
  const { tokenizer, model } = loaded;
  const stopping = new InterruptableStoppingCriteria();
  running.set(id, stopping);
  try {
    const prompt = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, tokenize: false });
    const inputs = tokenizer(prompt + prefill, { add_special_tokens: false });
    const started = performance.now();
    const ids = Array.from(inputs.input_ids.data, Number);
    if (samples > 1) {
      const found = await sampleReplies(loaded, prompts, ids, options, samples, stopAtLineEnd, stopping);
      const tokens = found.samples.reduce((sum, sample) => sum + sample.tokens, 0);
      const ended = performance.now();
      post(Event.DONE, id, {
        reason: stopping.interrupted ? DoneReason.ABORTED : found.cut ? DoneReason.LENGTH : DoneReason.STOP,
        tokens,
        promptTokens: ids.length,
        reusedTokens: found.reused,
        firstTokenMs: tokens ? found.firstTokenAt - started : 0,
        decodeMs: tokens ? ended - found.firstTokenAt : 0,
        logprob: found.samples.reduce((sum, sample) => sum + sample.logprob, 0),
        samples: found.samples,
      });
      return;
    }
    const { cache, reused } = await prompts.prefill(model, ids);
    let firstTokenAt = 0;
    let tokens = 0;
    const confidence = chosenLogprobs();
    const streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      token_callback_function: (chosen) => {
        confidence.chose(chosen);
        tokens += 1;
        if (tokens === 1) firstTokenAt = performance.now();
      },
      callback_function: (text) => {
        if (text) post(Event.TOKEN, id, { text });
      },
    });
    const maxNewTokens = options.max_new_tokens ?? 256;
    try {
      await model.generate({
        ...inputs,
        ...options,
        ...(cache ? { past_key_values: cache } : {}),
        max_new_tokens: maxNewTokens,
        streamer,
        stopping_criteria: [stopping],
        logits_processor: [confidence.processor],
      });
    } finally {
      await cache?.dispose(); // a cache handed in is kept alive: free its GPU tensors (none on WASM)
    }
    const ended = performance.now();
    const reason = stopping.interrupted
      ? DoneReason.ABORTED
      : tokens >= maxNewTokens
        ? DoneReason.LENGTH
        : DoneReason.STOP;
    post(Event.DONE, id, {
      reason,
      tokens,
      promptTokens: inputs.input_ids.dims.at(-1),
      reusedTokens: reused,
      firstTokenMs: tokens ? firstTokenAt - started : 0,
      decodeMs: tokens ? ended - firstTokenAt : 0,
      logprob: confidence.total,
    });
  } catch (error) {
    if (error?.name && Object.values(ErrorName).includes(error.name)) throw error;
    const text = String(error?.message ?? error);
    if (loaded.device !== "webgpu") throw namedError(ErrorName.GENERATION, `Generation failed: ${text}`);
    gpuFailure = text.slice(0, 200);
    await dispose(); // the next request loads the model on WASM
    throw namedError(ErrorName.GENERATION, `Generation failed on the graphics card (${text}); the model runs on ` +
      "the processor (WASM) from now on. Try again.");
  } finally {
    running.delete(id);
  }
}

function loadEmbedder(spec) {
  checkSpec(spec);
  const key = specKey(spec);
  if (embedder?.key !== key) {
    useRuntime("wasm"); // or the WebGPU build, if a model started it: it runs WASM too
    env.localModelPath = spec.path;
    const loading = pipeline("feature-extraction", spec.id, {
      dtype: spec.dtype, // always named: on WASM the default would ask for a file not built
      device: "wasm",
      session_options: FOLD_INT8_WEIGHTS,
    }).catch((error) => {
      if (embedder?.key === key) embedder = null;
      throw describeLoadFailure(spec, error);
    });
    embedder = { key, loading };
  }
  return embedder.loading;
}

async function embed({ id, embedder: spec, texts }) {
  if (!Array.isArray(texts) || texts.length === 0 || texts.some((text) => typeof text !== "string")) {
    throw namedError(ErrorName.BAD_REQUEST, "An embed request needs a list of texts.");
  }
  const extractor = await loadEmbedder(spec);
  const output = await extractor(texts, { pooling: "mean", normalize: true });
  post(Event.EMBEDDINGS, id, { vectors: output.tolist() });
}

const handlers = {
  async [Request.LOAD]({ id, model }) {
    const alreadyLoaded = Boolean(model) && current?.key === specKey(model);
    const loaded = await loadModel(model, id);
    if (alreadyLoaded) post(Event.READY, id, readyFields(model, loaded));
  },
  [Request.GENERATE]: generate,
  [Request.EMBED]: embed,
  [Request.ABORT]({ id }) {
    if (running.has(id)) {
      running.get(id).interrupt();
    } else if (waiting.has(id)) {
      // Answer now: the load goes on (the model stays for the next request), the generation won't.
      aborted.add(id);
      post(Event.DONE, id, { reason: DoneReason.ABORTED, tokens: 0 });
    }
  },
  async [Request.RESET]({ id }) {
    await dispose();
    post(Event.DONE, id, { reason: DoneReason.STOP, tokens: 0 });
  },
};

// Hold a lock named after this worker for as long as it lives (see `started` in protocol.js).
if (self.name && navigator.locks) {
  navigator.locks.request(self.name, () => {
    post(Event.STARTED, 0);
    return new Promise(() => {});
  });
}

self.addEventListener("message", async ({ data }) => {
  const id = data?.id;
  try {
    const handler = handlers[data?.type];
    if (!handler) throw namedError(ErrorName.BAD_REQUEST, `Unknown request type "${data?.type}".`);
    await handler(data);
  } catch (error) {
    const name = Object.values(ErrorName).includes(error?.name) ? error.name : ErrorName.GENERATION;
    post(Event.ERROR, id, { name, message: String(error?.message ?? error) });
  }
});
