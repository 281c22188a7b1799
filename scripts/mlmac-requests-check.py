#!/usr/bin/env python3
"""Query an MLMAC-compatible API the way the organisers' starter kit does (a `requests`
POST with json={"input": ...} and a bearer header) and print one JSON line per answer.

Environment: ATTRIB_BASE_URL (e.g. http://127.0.0.1:8080), ATTRIB_TOKEN.
Used by Tests/OraclesTests/ExternalCheckTests.swift, which replays the same queries with
attrib's own client on a fresh simulator of the same seed and compares the answers.
"""
import json
import os
import sys

import requests

BASE = os.environ["ATTRIB_BASE_URL"].rstrip("/")
HEADERS = {"Authorization": "Bearer " + os.environ["ATTRIB_TOKEN"]}
PLAN = [
    (0, "Once upon a time"),
    (5, "The quick brown fox"),
    (23, "Ünïcödé, \"quotes\", a / slash and\na newline"),
    (5, "The quick brown fox"),
    (11, "Москва — столица России. 日本語のテキスト。"),
    (0, ""),
]

for model, prompt in PLAN:
    response = requests.post(f"{BASE}/query?model={model}", json={"input": prompt}, headers=HEADERS, timeout=30)
    response.raise_for_status()
    body = response.json()
    print(json.dumps({"model": model, "prompt": prompt, "generated_text": body["result"]["generated_text"],
                      "queries": body["queries"]}, ensure_ascii=False))
status = requests.get(f"{BASE}/status", headers=HEADERS, timeout=30)
status.raise_for_status()
print(json.dumps({"status": status.json()}, ensure_ascii=False))
sys.exit(0)
