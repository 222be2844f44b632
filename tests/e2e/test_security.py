"""The Content-Security-Policy and Trusted Types in real Chromium: the studio boots, renders
and generates under the strict policy, whether it arrives as serve.py's header or only as the
page's <meta> tag, without one violation; and the default policy is no pass-through."""
import pytest

from .conftest import ECHO_MODEL, TINY_MODEL

PYSCRIPT_FUNCTION = ("(function anonymous(\n) {\nreturn(w,x)=>(async(e,t,...n)=>{for(const r of n)await r(e,t)})"
                     "(w,x,...[({interpreter:e})=>{e.registerJsModule(\"_pyscript\",{fs:{ERROR:\"storage "
                     "permissions not granted\",NAMESPACE:\"@pyscript.fs\"},interpreter:e})}])\n})")


@pytest.mark.parametrize("delivery", ["header", "meta"])
def test_the_studio_boots_renders_and_generates_under_the_policy(open_studio, static_server_url, delivery):
    base_url = static_server_url if delivery == "meta" else None
    # The echo model writes English that passes the checks on model output (the tiny random one does not).
    studio = open_studio(f"?model={ECHO_MODEL}", **({"base_url": base_url} if base_url else {}))
    page = studio.page
    header = page.evaluate("""async () => (await fetch(location.href)).headers.get("content-security-policy")""")
    if delivery == "header":
        assert "require-trusted-types-for 'script'" in header and "frame-ancestors 'self' https:" in header
    else:
        assert header is None
    studio.wait_for_python()
    studio.wait_for_model()
    assert page.evaluate("() => window.isSecureContext && !!trustedTypes.defaultPolicy")

    # Markup reaches the page through DOMPurify's TrustedHTML; a generation runs through Python.
    page.fill("#draft", "# Bees\n\n**Roofs** suit <em>hives</em>.")
    assert page.inner_text("#draft-preview strong") == "Roofs"
    result = page.evaluate("museSpark.runPrompt('Say hello.', 8)")
    assert result["tokens"] > 0
    page.fill("#draft", "Bees like quiet sunny roofs in the middle of busy cities.")  # echoed, it passes the checks
    page.click("#summarize-tldr")
    studio.wait_until_idle()
    assert page.inner_text("#extras h3") == "Tl;dr"
    studio.settle()
    assert studio.violations == []


def test_strings_cannot_become_markup_or_code(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}", expected_errors=[r"Trusted Type|TrustedHTML|TrustedScript|Trusted Types"],
                         expected_violations=["require-trusted-types-for"])
    studio.wait_for_python()
    # From a task of the page's own: code evaluated by the test harness is exempt from the policy.
    outcome = studio.page.evaluate("""() => new Promise((resolve) => setTimeout(() => {
      const attempt = (action) => { try { action(); return "allowed"; } catch (error) { return error.name; } };
      resolve({
        innerHTML: attempt(() => { document.querySelector("#status").innerHTML = "<b>x</b>"; }),
        functionOfAString: attempt(() => Function("return 1")()),
        evalOfAString: attempt(() => eval("1 + 1")),
        foreignWorker: attempt(() => new Worker("https://example.org/worker.js")),
      });
    }))""")
    assert outcome == {"innerHTML": "TypeError", "functionOfAString": "EvalError", "evalOfAString": "EvalError",
                       "foreignWorker": "TypeError"}
    studio.settle()  # each attempt is reported once by each policy: the header's and the <meta> tag's
    assert [v["directive"] for v in studio.violations] == ["require-trusted-types-for"] * 8


def test_the_default_policy_admits_only_what_the_runtime_needs(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}", expected_errors=[r"Trusted Type|TrustedScript"],
                         expected_violations=["require-trusted-types-for"])
    studio.wait_for_python()
    outcome = studio.page.evaluate("""(pyscriptFunction) => new Promise((resolve) => setTimeout(() => {
      const attempt = (action) => { try { action(); return "allowed"; } catch (error) { return error.name; } };
      const body = pyscriptFunction.slice("(function anonymous(\\n) {\\n".length, -"\\n})".length);
      const script = (source) => URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      resolve({
        pyscriptFunction: attempt(() => Function(body)),
        lookalike: attempt(() => Function(body.replace("registerJsModule", "alert"))),
        sameOriginWorker: attempt(() => new Worker("/assets/protocol.js", { type: "module" }).terminate()),
        foreignWorker: attempt(() => new Worker("https://example.org/worker.js")),
        blobWorker: attempt(() => new Worker(script("postMessage(1)"))),
        dataWorker: attempt(() => new Worker("data:text/javascript,postMessage(1)")),
      });
    }))""", PYSCRIPT_FUNCTION)
    assert outcome == {"pyscriptFunction": "allowed", "lookalike": "EvalError", "sameOriginWorker": "allowed",
                       "foreignWorker": "TypeError", "blobWorker": "TypeError", "dataWorker": "TypeError"}
    refusals = [e for e in studio.console_errors if e.startswith("Trusted Types: refused")]
    assert len(refusals) == 4 and "refused script:" in refusals[0]
