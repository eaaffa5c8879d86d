#!/usr/bin/env python3
"""The official SDKs against a running Switchyard gateway (run by tests/e2e/sdk.sh).

Runs inside the SDK venv that sdk.sh creates (pinned ``openai``, ``anthropic``
and ``google-genai``). Every check uses an SDK as an
application would, pointed at the gateway with the gateway's client key, and
asserts that the SDK parses the answer without an exception and that the
parsed/accumulated objects carry the scripted answer of tests/e2e/mock_upstream.py:

* no tools                              -> the text ``OK``
* tools + ``RUN_CMD=[[CMD]]`` user text -> a call to the ``Bash`` tool with
                                           ``{"command": CMD, "description": "run it"}``
* the same plus the tool's result       -> the text ``Done.``

Prints ``PASS name`` / ``FAIL name: why`` / ``SKIP name: why`` per check (on
stderr, for a failure: the traceback and the raw bytes of its HTTP exchanges)
and ``RESULT passed=N failed=N skipped=N`` at the end; exits 1 when a check
failed. A SKIP is a check that fails because of a loss the gateway documents
in crates/protocol/LOSSY.md: its line quotes the row (see ``run``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
import time
import traceback

try:  # the SDKs ship their HTTP client as httpx2 (older releases: httpx)
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

import pydantic


import sdk_common
from sdk_anthropic import anthropic_checks
from sdk_common import RESULTS
from sdk_gemini import gemini_checks
from sdk_openai import openai_checks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="gateway root URL, e.g. http://127.0.0.1:PORT")
    ap.add_argument("--key", required=True, help="the gateway's client key")
    ap.add_argument("--upstream", required=True, choices=["openai", "anthropic"], help="the gateway provider's format (openai = openai_chat); also the check-name prefix")
    ap.add_argument("--sdk", action="append", choices=["openai", "anthropic", "gemini"], help="repeatable; default: all three")
    ap.add_argument("--unrouted-model", default="nope-sdk-e2e")
    ap.add_argument("--listed-model", default="sdk-model", help="a literal route name GET /v1/models must list")
    args = ap.parse_args(argv)
    sdks = args.sdk or ["openai", "anthropic", "gemini"]
    sdk_common.LABEL = {"openai": "openai_chat", "anthropic": "anthropic"}[args.upstream] + "/"
    common = dict(base=args.base, key=args.key, unrouted=args.unrouted_model, listed=args.listed_model, upstream=args.upstream)
    if "openai" in sdks:
        openai_checks(model="gpt-sdk-e2e", **common)
    if "anthropic" in sdks:
        anthropic_checks(model="claude-sdk-e2e", **common)
    if "gemini" in sdks:
        gemini_checks(model="gemini-sdk-e2e", **common)
    print(f"RESULT passed={RESULTS['passed']} failed={RESULTS['failed']} skipped={RESULTS['skipped']}", flush=True)
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())