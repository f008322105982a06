"""Inputs `!run` must refuse: known escapes from "safe eval" allowlists and parser crashes.

Each entry is (text, words): parse_run(text) must raise RunError whose message contains
`words` (case-insensitive), so the refusal is explained, not just raised. `{canary}` is
replaced by a path that must still not exist afterwards.
"""

from __future__ import annotations

SEED = """\
import torch
import torch.optim as optim
model_params = [torch.nn.Parameter(torch.randn(2, 2, requires_grad=True))]
optimizer = optim.SGD(model_params, lr=0.1)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
for epoch in range(3):
    optimizer.step()
    scheduler.step()
    lr = optimizer.param_groups[0]['lr']
print(f"Learning rate after 3 epochs: {lr}")
"""


def _snippet_with(line: str, after: str = "scheduler = ") -> str:
    """The seed snippet with `line` inserted before the line starting with `after`."""
    lines = SEED.splitlines()
    at = next(i for i, text in enumerate(lines) if text.startswith(after))
    return "\n".join([*lines[:at], line, *lines[at:]])


HOSTILE: list[tuple[str, str]] = [
    # code execution through builtins and dunders
    ("__import__('os').system('touch {canary}')", "double underscores"),
    ("StepLR(step_size=__import__('os').system('touch {canary}'))", "double underscores"),
    ("StepLR(step_size=().__class__.__bases__[0])", "double underscores"),
    ("().__class__.__mro__[1].__subclasses__()", "double underscores"),
    ("StepLR(step_size=2).__init__", "double underscores"),
    ("StepLR(__class__=2)", "double underscores"),
    ("StepLR(step_size=2) __builtins__=1", "double underscores"),
    ("'{0.__class__}'.format(1)", "isn't a learning-rate scheduler"),
    ("StepLR(step_size='{0.__class__}'.format(1))", "must be a number"),
    ("StepLR(step_size=f'{().__class__}')", "double underscores"),
    ("exec('import os')", "isn't a scheduler"),
    ("eval('1+1')", "isn't a scheduler"),
    ("compile('x', 'f', 'exec')", "isn't a scheduler"),
    ("open('{canary}', 'w')", "isn't a scheduler"),
    ("StepLR(step_size=open('{canary}', 'w'))", "must be a number"),
    ("getattr(torch, 'load')('x')", "isn't a learning-rate scheduler"),
    ("StepLR(step_size=getattr(1, 'real'))", "must be a number"),
    ("breakpoint()", "isn't a scheduler"),
    ("globals()", "isn't a scheduler"),
    ("os.system('touch {canary}')", "isn't a learning-rate scheduler"),
    ("torch.load('x')", "isn't a learning-rate scheduler"),
    ("StepLR(step_size=2) optimizer=__import__('os')", "double underscores"),
    ("StepLR(step_size=2) optimizer=os.system", "optimizer must be one of"),
    # comprehensions, generators, walrus, lambdas as escape hatches
    ("[x for x in ()]", "comprehension"),
    ("StepLR(step_size=[x for x in (1,)][0])", "must be a number"),
    ("MultiStepLR(milestones=[x for x in range(10**8)])", "must be a list"),
    ("StepLR(step_size=(x for x in ()))", "generator"),
    ("LambdaLR(lr_lambda=lambda e: sum(x for x in range(10**9)))", "can't contain"),
    ("StepLR(step_size=(x := 2))", "walrus"),
    ("LambdaLR(lr_lambda=lambda e: (y := e))", "walrus"),
    ("lambda e, f=print: f(e)", "isn't a scheduler"),
    ("LambdaLR(lr_lambda=lambda e, f=print: f(e))", "exactly one argument"),
    ("LambdaLR(lr_lambda=lambda *a: 1)", "exactly one argument"),
    ("LambdaLR(lr_lambda=lambda **k: 1)", "exactly one argument"),
    ("LambdaLR(lr_lambda=lambda e: (lambda f: f(f))(lambda f: f(f)))", "can't contain"),
    ("LambdaLR(lr_lambda=lambda e: e.__class__)", "double underscores"),
    ("LambdaLR(lr_lambda=lambda e: e.real)", "can't contain"),
    ("LambdaLR(lr_lambda=lambda e: print(e))", "can't contain"),
    ("LambdaLR(lr_lambda=lambda e: math.os)", "can't contain"),
    ("LambdaLR(lr_lambda=lambda e: [e][0])", "can't contain"),
    ("LambdaLR(lr_lambda=lambda e: 'a' * 10**9)", "numbers only"),
    ("LambdaLR(lr_lambda=lambda e: e if e else (yield))", "can't contain"),
    ("LambdaLR(lr_lambda=lambda e: e(e))", "can't contain"),
    ("LambdaLR(lr_lambda=lambda e: " + "+".join(["e"] * 300) + ")", "nested too deeply"),
    ("LambdaLR(lr_lambda=lambda e: max(" + ", ".join(["e"] * 250) + "))", "takes 2 to 8"),
    # huge numbers
    ("LambdaLR(lr_lambda=lambda e: 9**9**9)", "too large"),
    ("LambdaLR(lr_lambda=lambda e: e + 10.0**400)", "too large"),
    ("LambdaLR(lr_lambda=lambda e: 1/0)", "division by zero"),
    ("9**9**9", "expects a scheduler"),
    ("StepLR(step_size=9**9**9)", "doesn't do arithmetic"),
    ("StepLR(step_size=2) steps=10**100", "doesn't do arithmetic"),
    ("StepLR(step_size=2) steps=10**9", "doesn't do arithmetic"),
    ("StepLR(step_size=2) steps=1000000000", "from 1 to 10,000"),
    ("StepLR(step_size=2) steps=-1", "from 1 to 10,000"),
    ("StepLR(step_size=99999999999999999999999999)", "huge number"),
    ("StepLR(step_size=" + "9" * 5000 + ")", "characters"),
    ("StepLR(step_size=" + "9" * 3900 + ")", "huge number"),
    ("StepLR(step_size=2) lr=[0.1]*1000000", "doesn't do arithmetic"),
    ("ReduceLROnPlateau() metrics=[1]*10**9", "doesn't do arithmetic"),
    ("ChainedScheduler([StepLR(step_size=1)]*1000)", "must be a list"),
    # not numbers
    ("StepLR(step_size=2, gamma=float('nan'))", "nan and inf"),
    ("StepLR(step_size=2, gamma=float('inf'))", "nan and inf"),
    ("ExponentialLR(gamma=1e999)", "finite"),
    ("ExponentialLR(gamma=-1e999)", "finite"),
    ("ExponentialLR(gamma=nan)", "finite"),
    ("StepLR(step_size=2) lr=1e999", "finite"),
    ("StepLR(step_size=2) lr=inf", "finite"),
    ("LambdaLR(lr_lambda=lambda e: 1e999)", "finite"),
    ("StepLR(step_size=2j)", "complex"),
    ("StepLR(step_size=b'2')", "bytes"),
    ("StepLR(step_size=...)", "ellipsis"),
    ("StepLR(step_size=True)", "must be a number"),
    # parser stress
    ("(" * 100_000, "characters"),
    ("(" * 3_000, "valid python"),
    ("+0" * 200_000, "characters"),
    ("+0" * 1_999, "nested too deeply"),
    ("StepLR(step_size=" + "-" * 3_900 + "1)", "nested too deeply"),
    ("StepLR(step_size=" + "not " * 900 + "1)", "nested too deeply"),
    ("f" + "()" * 1_900, "nested too deeply"),
    ("x" * 1_000_000, "characters"),
    ("a." * 1_900 + "b", "nested too deeply"),
    ("[" * 300 + "]" * 300, "valid python"),
    ("StepLR(step_size=2\x00)", "valid python"),
    ("", "nothing to run"),
    ("   \n\t ", "nothing to run"),
    ("```py\n```", "nothing to run"),
    # attribute chains, subscripts, unpacking
    ("StepLR(step_size=optimizer.param_groups)", "must be a number"),
    ("torch.optim.lr_scheduler.StepLR.mro()", "isn't a learning-rate scheduler"),
    ("StepLR(step_size=[1][0])", "must be a number"),
    ("StepLR(step_size={'a': 2}['a'])", "must be a number"),
    ("StepLR(*[2])", "unpacking"),
    ("MultiStepLR(milestones=[*range(3)])", "unpacking"),
    ("StepLR(**{'step_size': 2})", "unpacking"),
    ("StepLR(optimizer, **kwargs)", "unpacking"),
    # look-alike letters (Cyrillic e, Ukrainian i)
    ("St\u0435pLR(step_size=2)", "non-ascii"),
    ("StepLR(step_s\u0456ze=2)", "non-ascii"),
    ("StepLR(step_size=2) st\u0435ps=3", "non-ascii"),
    # statements and syntax
    ("StepLR(step_size=2); import os", "isn't something `!run` understands"),
    ("import os", "importing `os` isn't allowed"),
    ("StepLR(step_size=2) steps=3 steps=4", "twice"),
    ("StepLR(step_size=1, step_size=2)", "twice"),
    ("StepLR(2, step_size=2)", "twice"),
    ("StepLR(step_size=2", "never closed"),
    ("class X: pass", "isn't something `!run` understands"),
    ("while True: pass", "isn't something `!run` understands"),
    ("def f():\n    import os", "just `def f(epoch)"),
    ("async def f(): await x", "isn't something `!run` understands"),
    ("del x", "isn't something `!run` understands"),
    ("yield 1", "expects a scheduler"),
    # snippets
    (_snippet_with("import os", after="import torch"), "importing `os` isn't allowed"),
    (_snippet_with("import subprocess", after="import torch"), "isn't allowed"),
    (_snippet_with("from os import system", after="import torch"), "isn't allowed"),
    (_snippet_with("from . import x", after="import torch"), "isn't allowed"),
    (_snippet_with("import torch.hub", after="import torch"), "isn't allowed"),
    (_snippet_with("os.system('touch {canary}')"), "line 5"),
    (_snippet_with("open('{canary}', 'w').write('x')"), "line 5"),
    (_snippet_with("x = open('{canary}', 'w')"), "line 5"),
    (_snippet_with("print(open('{canary}', 'w'))"), "line 5"),
    (_snippet_with("print(scheduler.__dict__)", after="for epoch"), "double underscores"),
    (_snippet_with("exec('print(1)')"), "line 5"),
    (_snippet_with("torch.save(model_params, '{canary}')"), "line 5"),
    (_snippet_with("model_params = torch.load('{canary}')"), "line 5"),
    (_snippet_with("with open('{canary}') as f: pass"), "line 5"),
    (_snippet_with("while True: pass"), "line 5"),
    (_snippet_with("lr = [x for x in range(10**9)]"), "line 5"),
    (_snippet_with("f = lambda e, g=print: g(e)"), "exactly one argument"),
    (SEED.replace("range(3)", "range(10**9)"), "doesn't do arithmetic"),
    (SEED.replace("range(3)", "range(100000)"), "more than 10,000"),
    (SEED.replace("optim.SGD", "optim.LBFGS"), "isn't an optimizer"),
    (SEED.replace("StepLR(", "getattr("), "isn't a scheduler"),
    (SEED.replace("lr=0.1", "lr=float('nan')"), "nan and inf"),
    (SEED.replace("scheduler.step()", "scheduler.step(open('x'))"), "line 8"),
    (SEED.replace("    scheduler.step()\n", ""), "never calls"),
]
