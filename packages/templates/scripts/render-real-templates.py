#!/usr/bin/env python3
"""Expected renders of real models' chat templates, made with Python's jinja2 as transformers'
apply_chat_template renders them, for packages/templates/test/real-templates.test.ts.

Input: test/real-templates/chat-templates.json, the chat_template strings of the models that
@huggingface/jinja's end-to-end cases name (huggingface.js packages/jinja/test/e2e.test.js; each
entry names its model, and the bos/eos tokens those cases give it). The conversations are our own
(below): for each template, the richest one it accepts, tried in order (text parts for templates
that iterate contents, reasoning turns for templates that read `</think>`, a tool call for templates that read `tool_calls`, then a system
message (with firefunction's `functions` one), then a plain exchange); every one has two assistant turns.

Output: test/real-templates/cases.json: per template, the conversation, the tools and variables
passed, the text rendered without a generation prompt (`text`), and the conversation less its
last answer rendered with one (`prompt`).

Re-run after changing the conversations or the templates (needs python3-jinja2, e.g.
`apt-get install -y python3-jinja2`), from packages/templates:

    /usr/bin/python3 scripts/render-real-templates.py
"""

import json
from datetime import datetime
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = Path(__file__).resolve().parent.parent / "test" / "real-templates"

# strftime_now is fixed so that the renders do not depend on the day they are made; the test
# fixes the clock of @huggingface/jinja's strftime_now to the same instant.
NOW = datetime(2026, 1, 15, 12, 0, 0)

SYSTEM = "You are a concise assistant who answers in one sentence."

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city's name"}},
            "required": ["city"],
        },
    },
}


def exchange(answers):
    return [
        {"role": "user", "content": "What is the capital of Norway?"},
        {"role": "assistant", "content": answers[0]},
        {"role": "user", "content": "And how many people live there?"},
        {"role": "assistant", "content": answers[1]},
    ]


PLAIN = exchange(["The capital of Norway is Oslo.", "About 700,000 people live in Oslo."])
REASONING = exchange(
    [
        "<think>\nThe user asks for Norway's capital, which is Oslo.\n</think>\n\nThe capital of Norway is Oslo.",
        "<think>\nOslo has about 700,000 inhabitants.\n</think>\n\nAbout 700,000 people live in Oslo.",
    ]
)
TOOL_CALL = [
    {"role": "user", "content": "What is the weather in Bergen?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "a1b2c3d4e",
                "type": "function",
                "function": {"name": "get_weather", "arguments": {"city": "Bergen"}},
            }
        ],
    },
    {
        "role": "tool",
        "tool_call_id": "a1b2c3d4e",
        "name": "get_weather",
        "content": '{"temperature": 12, "sky": "rain"}',
    },
    {"role": "assistant", "content": "It is 12 degrees and raining in Bergen."},
    {"role": "user", "content": "Should I bring an umbrella?"},
    {"role": "assistant", "content": "Yes, bring an umbrella."},
]

def as_parts(messages):
    """Contents as one text part each, except the system message's (as the e2e cases give them)."""
    return [m if m["role"] == "system" else {**m, "content": [{"type": "text", "text": m["content"]}]} for m in messages]


# (name, applies to a template, messages, tools)
CONVERSATIONS = [
    # Llama 3.2 Vision and Llama Guard 3 Vision read contents as parts: Python iterates a string
    # content's characters (Llama Guard then drops it), @huggingface/jinja refuses to.
    (
        "system+text parts",
        lambda t: "for content in message['content']" in t,
        [{"role": "system", "content": SYSTEM}] + as_parts(PLAIN),
        None,
    ),
    (
        "text parts",
        lambda t: "for content in message['content']" in t,
        as_parts(PLAIN),
        None,
    ),
    ("system+reasoning", lambda t: "</think>" in t, [{"role": "system", "content": SYSTEM}] + REASONING, None),
    ("system+tool call", lambda t: "tool_calls" in t, [{"role": "system", "content": SYSTEM}] + TOOL_CALL, [WEATHER_TOOL]),
    ("tool call", lambda t: "tool_calls" in t, TOOL_CALL, [WEATHER_TOOL]),
    # firefunction-v1 reads its function definitions from a `functions` message after the system one.
    (
        "system+functions",
        lambda t: "'FUNCTIONS'" in t,
        [
            {"role": "system", "content": SYSTEM},
            {"role": "functions", "content": json.dumps([WEATHER_TOOL["function"]], indent=4)},
        ]
        + PLAIN,
        None,
    ),
    # Command R's tool_use template takes tools in Cohere's own shape.
    (
        "system+cohere tools",
        lambda t: "parameter_definitions" in t,
        [{"role": "system", "content": SYSTEM}] + PLAIN,
        [
            {
                "name": "get_weather",
                "description": "Current weather for a city",
                "parameter_definitions": {
                    "city": {"description": "The city's name", "type": "str", "required": True}
                },
            }
        ],
    ),
    ("system", lambda t: True, [{"role": "system", "content": SYSTEM}] + PLAIN, None),
    ("plain", lambda t: True, PLAIN, None),
]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # transformers' tojson: json.dumps without escaping non-ASCII, keys in their order.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


class GenerationBlocks(Extension):
    """`{% generation %}...{% endgeneration %}` renders its body, as transformers' AssistantTracker does."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

    def _body(self, caller):
        return caller()


def compile_template(source):
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlocks, loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
    return env.from_string(source)


def render(template, entry, messages, tools, add_generation_prompt):
    tokens = {k: entry[k] for k in ("bos_token", "eos_token") if k in entry}
    return template.render(
        messages=messages,
        tools=tools,
        documents=None,
        add_generation_prompt=add_generation_prompt,
        **tokens,
        **entry.get("variables", {}),
    )


# Conversations left out where @huggingface/jinja (0.5.11) cannot render what Python renders.
LEFT_OUT = {
    # its tool messages are written with dict(...), which @huggingface/jinja does not have
    "CISCai/Mistral-7B-Instruct-v0.3-SOTA-GGUF": {"system+tool call", "tool call"},
}


def case(entry):
    template = compile_template(entry["chat_template"])
    errors = []
    for name, applies, messages, tools in CONVERSATIONS:
        if not applies(entry["chat_template"]) or name in LEFT_OUT.get(entry["case"], ()):
            continue
        try:
            text = render(template, entry, messages, tools, False)
            prompt = render(template, entry, messages[:-1], tools, True)
        except Exception as error:  # the template refuses this conversation: try the next
            errors.append(f"{name}: {error}")
            continue
        out = {
            "case": entry["case"],
            "model": entry["model"],
            "conversation": name,
            "messages": messages,
            "text": text,
            "prompt": prompt,
        }
        if tools is not None:
            out["tools"] = tools
        return out
    raise SystemExit(f"{entry['case']}: no conversation renders: {errors}")


def main():
    entries = json.loads((HERE / "chat-templates.json").read_text())
    cases = [case(entry) for entry in entries]
    (HERE / "cases.json").write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
    for c in cases:
        print(f"{c['conversation']:18} {c['case']}")


if __name__ == "__main__":
    main()
