/**
 * The creator's own inference server as an engine: any server that speaks OpenAI's chat API
 * (llama.cpp's llama-server, Ollama, LM Studio, vLLM). It offers what ModelClient offers the
 * Python bridge — generate(spec, messages, options, {onToken, signal, samples, stopAtLineEnd})
 * resolving with a `done` event — so the studio writes through it unchanged.
 *
 * Replies stream as server-sent events (`data: {…}` lines, then `data: [DONE]`), read with
 * fetch and a stream reader and parsed by eventsource-parser. Stop aborts the request, which
 * closes the connection; the server stops generating. Every failure is a named error
 * (protocol.js ErrorName.ENGINE, or ENGINE_LOST once text has arrived) whose message says
 * what to do. The key goes only in the Authorization header to the server itself.
 *
 * Public: EndpointClient — models(), generate(…), and `origin`.
 */
import { createParser } from "../vendor/eventsource-parser/parse.js";
import { DoneReason, ErrorName, namedError } from "./protocol.js";

/** Where each server is told which pages may call it. */
const CORS_HELP =
  "If it is running, allow this page's origin in its settings: --cors-origins for llama-server, " +
  "OLLAMA_ORIGINS for Ollama, the CORS switch in LM Studio, --allowed-origins for vLLM.";

/**
 * How servers take a JSON schema for the reply, tried in this order until one is accepted:
 * OpenAI's (vLLM, Ollama, LM Studio, llama-server), llama.cpp's json_object with a schema
 * (llama-cpp-python), then none (the studio reads whatever JSON the reply holds).
 */
const SCHEMA_FORMATS = [
  (schema) => ({ response_format: { type: "json_schema", json_schema: { name: "reply", strict: true, schema } } }),
  (schema) => ({ response_format: { type: "json_object", schema } }),
  () => ({}),
];
/** Whether a server refused a request for its form: a response_format it does not take
 * (llama-cpp-python answers 500 and names the field). */
function refusedForm(error) {
  return [400, 415, 422].includes(error?.status) || /response_format/.test(error?.message ?? "");
}

function engineError(text, status = 0) {
  const error = namedError(ErrorName.ENGINE, text);
  error.status = status;
  return error;
}

/** The server's own explanation, if its error body carries one. */
async function serverSaid(response) {
  try {
    const body = await response.json();
    return String(body?.error?.message ?? body?.message ?? body?.detail ?? "").slice(0, 200);
  } catch {
    return "";
  }
}

export class EndpointClient {
  #base;
  #key;
  #schemaFormat = 0; // the first of SCHEMA_FORMATS this server has not refused

  /** `url`: the server's address, with or without `/v1`; `key`: an API key or "". */
  constructor(url, key = "") {
    const parsed = new URL(url);
    if (!/^https?:$/.test(parsed.protocol)) throw engineError(`"${url}" is not an http or https address.`);
    this.#base = `${parsed.origin}${parsed.pathname.replace(/\/+$/, "").replace(/\/v1$/, "")}/v1`;
    this.#key = key;
    this.origin = parsed.origin;
  }

  async #fetch(path, init = {}) {
    const headers = { "Content-Type": "application/json", ...(this.#key ? { Authorization: `Bearer ${this.#key}` } : {}) };
    let response;
    try {
      response = await fetch(`${this.#base}${path}`, { ...init, headers, credentials: "omit", cache: "no-store" });
    } catch (error) {
      if (error?.name === "AbortError") throw error;
      throw engineError(`No answer from ${this.origin}: the server is not running, or it refuses this page. ${CORS_HELP}`);
    }
    if (response.ok) return response;
    const said = await serverSaid(response);
    const detail = said ? ` (${said})` : "";
    const { status } = response;
    if (status === 401 || status === 403) {
      throw engineError(`${this.origin} refused the API key${detail}. Check the key in Engine settings.`, status);
    }
    if (status === 404 && path === "/chat/completions") {
      throw engineError(`${this.origin} does not know that model${detail}. Choose one of its models in Engine settings.`, status);
    }
    throw engineError(`${this.origin} answered ${status}${detail}.`, status);
  }

  /** The ids of the server's models (GET /v1/models). */
  async models() {
    const response = await this.#fetch("/models");
    let body;
    try {
      body = await response.json();
    } catch {
      throw engineError(`${this.origin} answered /v1/models with something other than JSON: is it an OpenAI-compatible server?`);
    }
    const ids = (body?.data ?? []).map((model) => String(model?.id ?? "")).filter(Boolean);
    if (!ids.length) throw engineError(`${this.origin} lists no models.`);
    return ids;
  }

  #body(spec, messages, options, extra) {
    return JSON.stringify({
      model: spec.model,
      messages,
      max_tokens: options.max_new_tokens ?? 256,
      temperature: options.do_sample === false ? 0 : (options.temperature ?? 1),
      top_p: options.do_sample === false ? 1 : (options.top_p ?? 1),
      ...extra,
    });
  }

  /** The streamed reply's response; with `options.schema`, in the first form of it the server takes. */
  async #post(spec, messages, options, signal) {
    for (;;) {
      const form = options.schema ? SCHEMA_FORMATS[this.#schemaFormat](options.schema) : {};
      const extra = { stream: true, stream_options: { include_usage: true }, ...form };
      try {
        return await this.#fetch("/chat/completions", { method: "POST", signal, body: this.#body(spec, messages, options, extra) });
      } catch (error) {
        const tryNext = options.schema && refusedForm(error) && this.#schemaFormat < SCHEMA_FORMATS.length - 1;
        if (!tryNext) throw error;
        this.#schemaFormat += 1;
      }
    }
  }

  /**
   * Stream one reply (following `options.schema`, a JSON schema, where the server can); with
   * `samples` > 1, that many one-line replies instead (`stopAtLineEnd`),
   * asked one after another. Resolves with {reason, tokens, promptTokens, firstTokenMs,
   * decodeMs, logprob, samples?}; an aborted request resolves with reason "aborted".
   */
  async generate(spec, messages, options = {}, { onToken, signal, samples = 1, stopAtLineEnd = false } = {}) {
    if (samples > 1) return this.#sampleLines(spec, messages, options, samples, stopAtLineEnd, signal);
    const started = performance.now();
    let firstAt = 0;
    let tokens = 0;
    let promptTokens = 0;
    let reason = DoneReason.STOP;
    try {
      const response = await this.#post(spec, messages, options, signal);
      const parser = createParser({
        onEvent: ({ data }) => {
          if (data === "[DONE]") return;
          let chunk;
          try {
            chunk = JSON.parse(data);
          } catch {
            return; // a keep-alive or a line we do not read
          }
          if (chunk.usage) {
            promptTokens = chunk.usage.prompt_tokens ?? promptTokens;
            tokens = chunk.usage.completion_tokens ?? tokens;
          }
          const choice = chunk.choices?.[0];
          const text = choice?.delta?.content ?? "";
          if (text) {
            firstAt ||= performance.now();
            if (!chunk.usage) tokens += 1;
            onToken?.(text);
          }
          if (choice?.finish_reason === "length") reason = DoneReason.LENGTH;
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch (error) {
      if (signal?.aborted) return this.#done(DoneReason.ABORTED, tokens, promptTokens, started, firstAt);
      if (error?.name === ErrorName.ENGINE && !firstAt) throw error;
      throw namedError(ErrorName.ENGINE_LOST, `${this.origin} stopped answering mid-reply.`);
    }
    return this.#done(reason, tokens, promptTokens, started, firstAt);
  }

  async #sampleLines(spec, messages, options, count, stopAtLineEnd, signal) {
    const started = performance.now();
    const found = [];
    let promptTokens = 0;
    let firstAt = 0;
    for (let row = 0; row < count && !signal?.aborted; row += 1) {
      let response;
      try {
        response = await this.#fetch("/chat/completions", {
          method: "POST",
          signal,
          body: this.#body(spec, messages, options, stopAtLineEnd ? { stop: ["\n"] } : {}),
        });
        const body = await response.json();
        firstAt ||= performance.now();
        promptTokens = body?.usage?.prompt_tokens ?? promptTokens;
        found.push({
          text: String(body?.choices?.[0]?.message?.content ?? ""),
          tokens: body?.usage?.completion_tokens ?? 0,
          logprob: 0,
        });
      } catch (error) {
        if (signal?.aborted) break;
        throw error;
      }
    }
    const tokens = found.reduce((sum, sample) => sum + sample.tokens, 0);
    const reason = signal?.aborted ? DoneReason.ABORTED : DoneReason.STOP;
    return { ...this.#done(reason, tokens, promptTokens, started, firstAt), samples: found };
  }

  #done(reason, tokens, promptTokens, started, firstAt) {
    const ended = performance.now();
    return {
      type: "done",
      reason,
      tokens,
      promptTokens,
      reusedTokens: 0,
      firstTokenMs: firstAt ? firstAt - started : 0,
      decodeMs: firstAt ? ended - firstAt : 0,
      logprob: 0,
    };
  }
}
