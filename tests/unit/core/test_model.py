"""Sampling options and generation statistics sent to and read from the worker."""
from app.core.errors import GenerationError, ModelNotFoundError, WorkerCrashedError, error_for
from app.core.model import GenerationStats, Sampling


def test_default_sampling_uses_a_repetition_penalty():
    options = Sampling().as_options()
    assert options["do_sample"] is True and 1.1 <= options["repetition_penalty"] <= 1.2


def test_greedy_sampling_sends_no_sampling_knobs():
    options = Sampling.greedy(64).as_options()
    assert options == {"max_new_tokens": 64, "do_sample": False, "repetition_penalty": 1.0}


def test_tokens_per_second_counts_tokens_after_the_first():
    assert GenerationStats("stop", tokens=11, decode_ms=500).tokens_per_second == 20.0
    assert GenerationStats("stop", tokens=1, decode_ms=0).tokens_per_second == 0.0


def test_worker_error_names_map_to_studio_errors():
    assert isinstance(error_for("ModelNotFoundError", "x"), ModelNotFoundError)
    assert isinstance(error_for("WorkerCrashedError", "x"), WorkerCrashedError)
    unknown = error_for("SomethingElse", "boom")
    assert isinstance(unknown, GenerationError) and str(unknown) == "boom"
