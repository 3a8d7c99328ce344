"""The OpenAI-compatible chat provider: OpenRouter by default, or OpenAI, vLLM, Ollama, llama.cpp server.

One POST to ``{base_url}/chat/completions`` per request. This module owns the wire format (request
body, prompt-cache markers, usage parsing) and translates every ``httpx`` failure into a
:class:`~podwright.core.errors.ProviderError` carrying the status and ``Retry-After`` that the retry
policy needs. It retries nothing itself: see :mod:`podwright.llm.retrying`.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

import httpx

from podwright.core.errors import ConfigError, ProviderError
from podwright.core.llm import Citation, LLMRequest, LLMResponse, Message, Usage
from podwright.llm.retry import parse_retry_after

__all__ = ["OpenAICompatClient", "is_strict_schema", "model_family", "needs_cache_control"]

ModelFamily = Literal["anthropic", "gemini", "openai", "deepseek", "other"]

# Bare model ids (no "vendor/" prefix, as OpenAI or Anthropic's own endpoints spell them) are
# recognized by the first dash-separated word of the name, never by a substring anywhere.
_BARE_FAMILIES: dict[str, ModelFamily] = {
    "claude": "anthropic",
    "gemini": "gemini",
    "gpt": "openai",
    "o1": "openai",
    "o3": "openai",
    "o4": "openai",
    "deepseek": "deepseek",
}
_VENDOR_FAMILIES: dict[str, ModelFamily] = {
    "anthropic": "anthropic",
    "openai": "openai",
    "deepseek": "deepseek",
}


def model_family(model: str) -> ModelFamily:
    """The family of ``model`` from its vendor prefix (``anthropic/claude-sonnet-4.5`` → ``anthropic``).

    ``google/`` models are ``gemini`` only when the name is a Gemini one (Gemma is ``other``).
    """
    vendor, _, name = model.partition("/")
    if not name:
        vendor, name = "", vendor
    first_word = name.split(":", 1)[0].split("-", 1)[0].lower()
    vendor = vendor.lower()
    if vendor == "google":
        return "gemini" if first_word == "gemini" else "other"
    if vendor:
        return _VENDOR_FAMILIES.get(vendor, "other")
    return _BARE_FAMILIES.get(first_word, "other")


def needs_cache_control(model: str) -> bool:
    """Whether ``model`` caches prompts only where a ``cache_control`` marker says so."""
    return model_family(model) in ("anthropic", "gemini")


def is_strict_schema(schema: object) -> bool:
    """Whether ``schema`` meets OpenAI's strict structured-output rules, so ``strict: true`` may be sent.

    Strict mode rejects (HTTP 400) any object schema that allows extra properties or leaves a
    property optional; pydantic's default schemas do both, so those go non-strict and are validated
    by pydantic on arrival instead.
    """
    if not isinstance(schema, dict):
        return True
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else None
    if schema.get("type") == "object" or properties is not None:
        if schema.get("additionalProperties") is not False:
            return False
        if set(schema.get("required", ())) != set(properties or ()):
            return False
    children: list[object] = list((properties or {}).values())
    for key in ("items", "not"):
        if key in schema:
            children.append(schema[key])
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        children.extend(schema.get(key) or ())
    for key in ("$defs", "definitions"):
        children.extend((schema.get(key) or {}).values())
    return all(is_strict_schema(child) for child in children)


def _wire_message(message: Message, *, mark_cache: bool) -> dict[str, Any]:
    if mark_cache and message.cache_breakpoint:
        part = {"type": "text", "text": message.content, "cache_control": {"type": "ephemeral"}}
        return {"role": message.role, "content": [part]}
    return {"role": message.role, "content": message.content}


class OpenAICompatClient:
    """An :class:`~podwright.core.llm.LLMClient` for any ``/chat/completions`` endpoint.

    ``http_client`` lets a caller share one connection pool; a client created here is closed by
    :meth:`aclose`. ``default_model`` serves requests that arrive without a routed model.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout_s: float = 120.0,
        http_client: httpx.AsyncClient | None = None,
        provider: str = "openai_compat",
        default_model: str | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._api_key = api_key
        self._timeout = httpx.Timeout(timeout_s)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=self._timeout)
        self.provider = provider
        self.default_model = default_model
        host = httpx.URL(self._url).host
        self._openrouter = host == "openrouter.ai" or host.endswith(".openrouter.ai")

    async def aclose(self) -> None:
        """Close the HTTP connection pool, if this client created it."""
        if self._owns_http:
            await self._http.aclose()

    def request_body(self, request: LLMRequest) -> dict[str, Any]:
        """The JSON body sent for ``request`` (public so golden tests can pin the wire format)."""
        model = self._model_for(request)
        mark_cache = needs_cache_control(model)
        fallbacks = request.fallbacks
        search = request.web_search
        if search is not None and search.via == "online":
            model, fallbacks = _online(model), tuple(_online(name) for name in fallbacks)
        body: dict[str, Any] = {
            "model": model,
            "messages": [_wire_message(m, mark_cache=mark_cache) for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if fallbacks:
            body["models"] = [model, *fallbacks]
        if search is not None and search.via == "plugin":
            body["plugins"] = [{"id": "web", "max_results": search.max_results}]
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "strict": is_strict_schema(request.json_schema),
                    "schema": request.json_schema,
                },
            }
        if self._openrouter:
            body["usage"] = {"include": True}
        return body

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Send ``request``; raises :class:`ProviderError` on any HTTP, transport or format failure."""
        body = self.request_body(request)
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        started = time.perf_counter()
        try:
            response = await self._http.post(self._url, json=body, headers=headers, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            raise ProviderError(
                f"{self.provider}: no answer for {body['model']} within the timeout ({type(exc).__name__})",
                hint="raise llm.timeout_s in the show file, or try again later",
                timeout=True,
            ) from exc
        except httpx.TransportError as exc:
            raise ProviderError(
                f"{self.provider}: could not reach {self._url} ({type(exc).__name__}: {exc})",
                hint="check llm.base_url and your network connection",
                timeout=True,
            ) from exc
        latency = time.perf_counter() - started
        if response.status_code >= 400:
            raise self._http_error(response, body["model"])
        return self._parse(response, request, body["model"], latency)

    def _model_for(self, request: LLMRequest) -> str:
        model = request.model or self.default_model
        if model is None:
            raise ConfigError(
                f"no model for the {request.task.value} call",
                hint="route the task to a model in the show's [llm.tiers], or give the provider a default",
            )
        return model

    def _http_error(self, response: httpx.Response, model: str) -> ProviderError:
        status = response.status_code
        detail = _error_detail(response)
        retry_after = _retry_after_s(response.headers)
        message = f"{self.provider}: HTTP {status} for model {model}: {detail}"
        if status in (401, 403):
            hint = (
                "check the API key: set the environment variable named by llm.api_key_env in the show "
                "file (OPENROUTER_API_KEY by default)"
            )
        elif status == 404:
            hint = f"the provider does not serve {model!r}: fix the model id in the show's [llm.tiers] route"
        elif status == 402:
            hint = "the provider account is out of credit: top it up or route the task to a cheaper model"
        elif status == 429:
            hint = "rate limited: lower llm.max_concurrency in the show file or wait"
        elif status >= 500:
            hint = "the provider failed; retry later or add a fallback model to the route"
        else:
            hint = "the provider rejected the request; check the model route and its parameters"
        return ProviderError(message, hint=hint, status=status, retry_after=retry_after)

    def _parse(
        self, response: httpx.Response, request: LLMRequest, model: str, latency: float
    ) -> LLMResponse:
        try:
            payload = response.json()
            choice = payload["choices"][0]
            text = choice["message"]["content"]
            if not isinstance(text, str):
                raise TypeError(f"message content is {type(text).__name__}, not text")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError(
                f"{self.provider}: malformed answer from {model} ({type(exc).__name__}: {exc})",
                hint="the provider sent something that is not a chat completion; retry or change the route",
            ) from exc
        return LLMResponse(
            text=text,
            provider=self.provider,
            model_asked=model,
            model_served=str(payload.get("model") or model),
            usage=_usage(payload.get("usage")),
            latency_s=latency,
            finish_reason=choice.get("finish_reason"),
            citations=_citations(choice["message"].get("annotations")),
        )


def _online(model: str) -> str:
    """``model``'s ``:online`` variant (OpenRouter's web search shortcut); already one stays as is."""
    return model if model.endswith(":online") else f"{model}:online"


def _citations(raw: object) -> tuple[Citation, ...]:
    """The ``url_citation`` annotations of a message (OpenRouter's standard shape), once per URL.

    Anything else (file annotations, a malformed entry) is skipped: a citation is extra, never a
    reason to lose the answer.
    """
    if not isinstance(raw, list):
        return ()
    found: dict[str, Citation] = {}
    for annotation in raw:
        if not isinstance(annotation, dict) or annotation.get("type") != "url_citation":
            continue
        cited = annotation.get("url_citation")
        if not isinstance(cited, dict):
            continue
        url = _text(cited.get("url"))
        if not url or url in found:
            continue
        found[url] = Citation(
            url=url,
            title=_text(cited.get("title")),
            passage=_text(cited.get("content")),
            start_index=_index(cited.get("start_index")),
            end_index=_index(cited.get("end_index")),
        )
    return tuple(found.values())


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _index(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _usage(raw: object) -> Usage:
    """Tokens and provider-reported cost from an OpenAI/OpenRouter ``usage`` object."""
    if not isinstance(raw, dict):
        return Usage()
    details = raw.get("prompt_tokens_details")
    details = details if isinstance(details, dict) else {}
    raw_cost = raw.get("cost")
    cost = float(raw_cost) if isinstance(raw_cost, int | float) and not isinstance(raw_cost, bool) else None
    return Usage(
        input_tokens=_count(raw.get("prompt_tokens")),
        cached_tokens=_count(details.get("cached_tokens")),
        cache_write_tokens=_count(details.get("cache_write_tokens")),
        output_tokens=_count(raw.get("completion_tokens")),
        cost_usd=cost,
        cost_source="provider" if cost is not None else "unknown",
    )


def _count(value: object) -> int:
    """A token count from JSON; anything but a non-negative number counts as zero."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return int(value)
    return 0


def _retry_after_s(headers: httpx.Headers) -> float | None:
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"))


def _error_detail(response: httpx.Response) -> str:
    """The provider's own error message, kept short (bodies can be whole HTML pages)."""
    try:
        payload = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
        if isinstance(error, str):
            return error[:300]
    return json.dumps(payload)[:200]
