"""attrib's model worker: causal language models scored and sampled in batches.

The worker loads Hugging Face model directories, GGUF files and small models made from a
config, and serves them over one versioned JSON protocol on loopback (`protocol.md`).
All log-probabilities are natural logs, computed in float32 or better.
"""

PROTOCOL_VERSION = 2
