"""A double of the model protocol for pure-logic tests, and helpers to run async code."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

from app.core.model import GenerationStats


class ScriptedModel:
    """A double of the model protocol that streams prepared replies, one per call."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls = []
        self.generations = []

    def generate(self, messages, sampling, prefill=""):
        self.calls.append((messages, prefill))
        self.generations.append(ScriptedGeneration(self.replies.pop(0)))
        return self.generations[-1]

    async def sample_lines(self, messages, sampling, count):
        """The next ``count`` replies, each cut after its first line, as the page's worker cuts them."""
        replies = []
        for _ in range(count):
            self.calls.append((messages, ""))
            text = self.replies.pop(0)
            line = text.lstrip()
            line = text[:len(text) - len(line) + line.index("\n") + 1] if "\n" in line else text
            replies.append((line, GenerationStats(reason="stop", tokens=max(1, len(line) // 4))))
        return replies


class ScriptedGeneration:
    def __init__(self, text):
        self.chunks = [text[i:i + 7] for i in range(0, len(text), 7)]
        self.stats = None
        self.closed_early = False

    async def __aiter__(self):
        for chunk in self.chunks:
            yield chunk
        self.stats = GenerationStats(reason="stop", tokens=len(self.chunks))

    async def aclose(self):
        if self.stats is None:
            self.closed_early = True
            self.stats = GenerationStats(reason="aborted")


async def collect(updates):
    return [update async for update in updates]


def run_async(coroutine):
    """Run in a thread of its own: the browser tests' Playwright keeps an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class KeywordEmbedder:
    """A double of the embedding model: a text's vector marks which of a few themes it names."""

    THEMES = (("bee", "hive", "honey", "pollen", "swarm"), ("sea", "ocean", "wave"), ("gold", "treasure"))

    def __init__(self, available=True):
        self.available = available
        self.calls = []

    async def embed(self, texts):
        self.calls.append(texts)
        if not self.available:
            return None
        vectors = []
        for text in texts:
            raw = [float(any(w in text.casefold() for w in theme)) for theme in self.THEMES] + [0.3]
            norm = sum(x * x for x in raw) ** 0.5
            vectors.append([x / norm for x in raw])
        return vectors


class WordCountEmbedder:
    """A double of the embedding model: a text's vector counts the words of a small vocabulary."""

    VOCABULARY = ("bees", "roofs", "hives", "quiet", "well", "sea")

    async def embed(self, texts):
        vectors = []
        for text in texts:
            words = text.casefold().replace(".", "").split()
            raw = [float(words.count(word)) for word in self.VOCABULARY]
            norm = sum(x * x for x in raw) ** 0.5 or 1.0
            vectors.append([x / norm for x in raw])
        return vectors
