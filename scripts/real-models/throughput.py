"""The Python side of the scoring-throughput ratio: the same forced-token requests that
`attrib bench score` makes (one per position of the same texts, tokenized by the server,
prompt cache off), over persistent HTTP connections, on the same threads count. Prints JSON."""
import http.client, json, sys, threading, time, urllib.parse

urls = sys.argv[1].split(",")
threads = int(sys.argv[2])
repeats = int(sys.argv[3])
TEXTS = [
    "The committee will meet again on Thursday to discuss the budget for next year.",
    "Москва — столица России, и в ней живёт больше двенадцати миллионов человек.",
    "東京は日本の首都で、世界で最も人口の多い都市圏の一つです。",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)",
]

def connection(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port)

def post(conn, path, body):
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())

conn = connection(urls[0])
texts = [f"{r} {t}" for r in range(repeats) for t in TEXTS]
encoded = [post(conn, "/tokenize", {"content": t, "add_special": False, "parse_special": False})["tokens"] for t in texts]
bos = post(conn, "/tokenize", {"content": "a", "add_special": True, "parse_special": True})["tokens"]
plain = post(conn, "/tokenize", {"content": "a", "add_special": False, "parse_special": False})["tokens"]
prefix = bos[:1] if len(bos) > len(plain) else []
conn.request("GET", "/v1/models"); n_vocab = json.loads(conn.getresponse().read())["data"][0]["meta"]["n_vocab"]
conn.request("GET", "/props"); eos_text = json.loads(conn.getresponse().read())["eos_token"]
eos = post(conn, "/tokenize", {"content": eos_text, "add_special": False, "parse_special": True})["tokens"][0]
work = list(range(len(encoded)))
lock = threading.Lock()
done = [0]

def worker(k):
    c = connection(urls[k % len(urls)])
    while True:
        with lock:
            if not work:
                return
            i = work.pop(0)
        toks = encoded[i]
        for j in range(1, len(toks)):
            r = post(c, "/v1/completions", {"prompt": prefix + toks[:j], "max_tokens": 1, "n_probs": 1, "temperature": 0,
                                            "samplers": ["temperature"], "logit_bias": {str(toks[j]): 100}, "cache_prompt": False})
            if r["choices"][0]["logprobs"] is None:
                # A token that is not valid UTF-8 alone comes back without log-probabilities:
                # the whole distribution of the context instead, as attrib asks for it.
                post(c, "/v1/completions", {"prompt": prefix + toks[:j], "max_tokens": 1, "n_probs": n_vocab, "temperature": 0,
                                            "samplers": ["temperature"], "logit_bias": {str(eos): 100}, "cache_prompt": False})
        with lock:
            done[0] += len(toks) - 1

start = time.time()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
[t.start() for t in ts]
[t.join() for t in ts]
seconds = time.time() - start
print(json.dumps({"positions": done[0], "seconds": seconds, "tokens_per_second": done[0] / seconds}))
