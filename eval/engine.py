"""The core's TextGenerator over an OpenAI-compatible server (llama.cpp, Ollama, LM Studio,
vLLM), for ``eval/run.py --engine URL --model NAME``: the same requests the page's
assets/endpoint-client.js sends, so a deployer can measure a bigger model on their own
hardware with the same eval. Standard library only.

Public: ``EngineModel``.
"""
from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

from app.core.model import GenerationStats, Message, Sampling


# How servers take a JSON schema, tried in turn as the page tries them: OpenAI's, llama.cpp's
# json_object with a schema, then none.
SCHEMA_FORMATS = (
    lambda schema: {"response_format": {"type": "json_schema",
                                        "json_schema": {"name": "reply", "strict": True, "schema": schema}}},
    lambda schema: {"response_format": {"type": "json_object", "schema": schema}},
    lambda schema: {},
)
REFUSED_FORM = {400, 415, 422}  # and llama-cpp-python's 500 that names response_format


class EngineModel:
    """One model on a server, asked one request at a time (replies are read as they stream)."""

    def __init__(self, url: str, model: str, key: str = "") -> None:
        self.base = url.rstrip("/").removesuffix("/v1") + "/v1"
        self.model, self.key = model, key
        self.schema_format = 0  # the first of SCHEMA_FORMATS the server has not refused

    def _post(self, messages: list[Message], sampling: Sampling, **extra):
        body = {"model": self.model, "messages": [{"role": m.role, "content": m.content} for m in messages],
                "max_tokens": sampling.max_new_tokens,
                "temperature": sampling.temperature if sampling.do_sample else 0,
                "top_p": sampling.top_p if sampling.do_sample else 1, **extra}
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {self.key}"} if self.key else {})}
        while True:
            form = SCHEMA_FORMATS[self.schema_format](sampling.schema) if sampling.schema else {}
            request = urllib.request.Request(f"{self.base}/chat/completions", json.dumps({**body, **form}).encode(),
                                             headers)
            try:
                return urllib.request.urlopen(request, timeout=600)
            except urllib.error.HTTPError as error:
                refused = error.code in REFUSED_FORM or b"response_format" in error.read()
                if not (sampling.schema and refused and self.schema_format < len(SCHEMA_FORMATS) - 1):
                    raise
                self.schema_format += 1

    def generate(self, messages: list[Message], sampling: Sampling, prefill: str = ""):
        return EngineGeneration(self, messages, sampling)

    async def sample_lines(self, messages: list[Message], sampling: Sampling, count: int):
        replies = []
        for _ in range(count):
            started = time.perf_counter()
            with self._post(messages, sampling, stop=["\n"]) as response:
                body = json.load(response)
            seconds = (time.perf_counter() - started) * 1000
            usage = body.get("usage") or {}
            replies.append((body["choices"][0]["message"]["content"] or "",
                            GenerationStats("stop", usage.get("completion_tokens", 0), usage.get("prompt_tokens", 0),
                                            seconds, 0.0)))
        return replies

    async def settled(self) -> None:
        return None


class EngineGeneration:
    """One streamed reply, iterated for its text chunks like the page's."""

    def __init__(self, model: EngineModel, messages: list[Message], sampling: Sampling) -> None:
        self.model, self.messages, self.sampling = model, messages, sampling
        self.stats: GenerationStats | None = None
        self.stopped = False

    async def __aiter__(self):
        started = time.perf_counter()
        first, tokens, reason = None, 0, "stop"
        with self.model._post(self.messages, self.sampling, stream=True) as response:
            for raw in response:
                line = raw.decode("utf-8").strip()
                if self.stopped or not line.startswith("data:") or line == "data: [DONE]":
                    continue
                choice = (json.loads(line[5:]).get("choices") or [{}])[0]
                if text := (choice.get("delta") or {}).get("content"):
                    first = first or time.perf_counter()
                    tokens += 1
                    yield text
                    await asyncio.sleep(0)
                if choice.get("finish_reason") == "length":
                    reason = "length"
        ended = time.perf_counter()
        self.stats = GenerationStats("aborted" if self.stopped else reason, tokens, 0,
                                     ((first or ended) - started) * 1000, (ended - (first or ended)) * 1000)

    async def aclose(self) -> None:
        self.stopped = True
        if self.stats is None:
            self.stats = GenerationStats("aborted")
