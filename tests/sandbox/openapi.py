"""Validate JSON answers against the public OpenAPI files in ``../shared/reference/``.

The specs are OpenAPI 3.0 documents. Their schema objects are close to JSON Schema draft 4, so
values are checked with ``Draft4Validator`` over the whole spec document (``#/components/...``
references resolve through a ``referencing`` registry). The OpenAPI-only keywords are harmless:
``example``, ``xml``, ``discriminator`` and ``x-*`` are unknown to draft 4 and ignored, and
``nullable: true`` is rewritten into a ``"null"`` type before validation.

Two things the specs leave loose, and how this module deals with them:

- No schema says ``required`` or ``additionalProperties: false``, so the two branches of the SMS
  send response's ``oneOf: [SMS, Error]`` both match every well-formed body and a literal
  ``oneOf`` would reject all of them. This module reads every ``oneOf`` as "at least one branch"
  (:func:`one_of_branch` picks a named branch when a test needs a specific one), and
  :func:`assert_strict_send_response` adds the checks the spec cannot express.
- Without the shared folder nothing can be checked: the tests are skipped with the reason, unless
  ``SMSGUI_REQUIRE_SPECS=1`` (set in CI) turns that into a failure.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

_PARENTS = Path(__file__).resolve().parents
# <workspace>/shared/reference, beside the repository that holds tests/sandbox/openapi.py
REFERENCE_DIR = (_PARENTS[3] if len(_PARENTS) > 3 else _PARENTS[0]) / "shared" / "reference"
SPEC_FILES: Mapping[str, str] = {
    "sms": "sms-openapi-1.5.1.yml",
    "account": "account-openapi.yml",
    "reports": "reports-openapi.yml",
    "messages": "messages-openapi.yml",
}
REQUIRE_ENV = "SMSGUI_REQUIRE_SPECS"
KEPT_SPECS: Mapping[str, Path] = {"messages": Path(__file__).resolve().parent
                                  / "messages-openapi.yml"}
"""Specs kept in the repository itself, with their licence beside them."""


def require_specs() -> None:
    """Skip (or, with SMSGUI_REQUIRE_SPECS=1, fail) the calling test when a spec is missing."""
    missing = [file for name, file in SPEC_FILES.items()
               if name not in KEPT_SPECS and not (REFERENCE_DIR / file).is_file()]
    if not missing:
        return
    reason = (f"OpenAPI reference files not found in {REFERENCE_DIR}: {', '.join(missing)} "
              f"(they live in the shared folder beside the repository)")
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}; {REQUIRE_ENV}=1 requires them", pytrace=False)
    pytest.skip(reason)


@functools.cache
def _load(name: str) -> dict[str, Any]:
    path = KEPT_SPECS.get(name) or REFERENCE_DIR / SPEC_FILES[name]
    with path.open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    if not isinstance(spec, dict) or not str(spec.get("openapi", "")).startswith("3."):
        raise ValueError(f"{SPEC_FILES[name]} is not an OpenAPI 3 document")
    return _without_nullable(spec)


def load_spec(name: str) -> dict[str, Any]:
    """The spec called ``name`` ("sms", "account" or "reports"), with ``nullable`` rewritten.

    The returned document is shared between callers: do not change it.
    """
    if name not in KEPT_SPECS:
        require_specs()
    return _load(name)


def _without_nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_without_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _without_nullable(value) for key, value in node.items()}
    if result.pop("nullable", False) is True and isinstance(result.get("type"), str):
        result["type"] = [result["type"], "null"]
    return result


def _uri(name: str) -> str:
    return f"urn:smsgui-spec:{name}"


@functools.cache
def _registry(name: str) -> Registry[Any]:
    resource: Resource[Any] = DRAFT4.create_resource(_load(name))
    return Registry().with_resource(_uri(name), resource)


def _one_or_more(validator: Any, branches: list[Any], instance: Any,
                 schema: Mapping[str, Any]) -> Iterator[jsonschema.ValidationError]:
    """``oneOf`` read as "matches at least one branch" (see the module docstring)."""
    errors: list[jsonschema.ValidationError] = []
    for index, branch in enumerate(branches):
        branch_errors = list(validator.descend(instance, branch, schema_path=index))
        if not branch_errors:
            return
        errors.extend(branch_errors)
    yield jsonschema.ValidationError(
        f"{instance!r} matches none of the {len(branches)} oneOf branches", context=errors)


_OpenApiValidator = jsonschema.validators.extend(Draft4Validator, {"oneOf": _one_or_more})


def schema_errors(spec_name: str, schema: Mapping[str, Any], value: Any) -> list[str]:
    """Every way ``value`` breaks ``schema``, a schema in (or referring into) the named spec."""
    load_spec(spec_name)
    validator = _OpenApiValidator(_absolute(schema, _uri(spec_name)),
                                  registry=_registry(spec_name))
    errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    return [_describe(error) for error in errors]


def _absolute(node: Any, uri: str) -> Any:
    """``node`` with its local ``$ref``s (``#/components/...``) pointing into the spec."""
    if isinstance(node, list):
        return [_absolute(item, uri) for item in node]
    if not isinstance(node, Mapping):
        return node
    result = {key: _absolute(value, uri) for key, value in node.items()}
    reference = result.get("$ref")
    if isinstance(reference, str) and reference.startswith("#"):
        result["$ref"] = uri + reference
    return result


def _describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(step) for step in error.absolute_path) or "(root)"
    text = f"at {where}: {error.message}"
    if error.context:
        reasons = "; ".join(sorted({_describe(sub) for sub in error.context}))
        text += f" [{reasons}]"
    return text


def component(spec_name: str, schema_name: str) -> dict[str, Any]:
    """A schema that refers to ``#/components/schemas/<schema_name>`` of the spec."""
    schemas = load_spec(spec_name)["components"]["schemas"]
    if schema_name not in schemas:
        raise KeyError(f"{SPEC_FILES[spec_name]} defines no schema {schema_name!r}")
    return {"$ref": f"#/components/schemas/{schema_name}"}


def response_schema(spec_name: str, path: str, method: str, status: int | str,
                    content_type: str = "application/json") -> dict[str, Any]:
    """The schema an operation's response declares, with a ``$ref`` to a response followed."""
    spec = load_spec(spec_name)
    operation = spec["paths"][path][method.lower()]
    responses = {str(code): answer for code, answer in operation["responses"].items()}
    answer = responses[str(status)]
    if isinstance(answer, dict) and "$ref" in answer:
        answer = _pointer(spec, answer["$ref"])
    content = (answer or {}).get("content") or {}
    if content_type not in content:
        raise KeyError(f"{method.upper()} {path} {status} declares no {content_type} body "
                       f"(only {sorted(content)})")
    return copy.deepcopy(content[content_type]["schema"])


def one_of_branch(spec_name: str, schema: Mapping[str, Any], tab_id: str) -> dict[str, Any]:
    """The ``oneOf`` branch of ``schema`` whose (``allOf`` part's) ``x-tab-id`` is ``tab_id``."""
    for branch in schema["oneOf"]:
        parts = [branch, *branch.get("allOf", [])]
        if any(part.get("x-tab-id") == tab_id for part in parts if isinstance(part, dict)):
            return copy.deepcopy(branch)
    raise KeyError(f"no oneOf branch has x-tab-id {tab_id!r} in {SPEC_FILES[spec_name]}")


def _pointer(spec: Mapping[str, Any], reference: str) -> Any:
    if not reference.startswith("#/"):
        raise ValueError(f"only local references are supported, not {reference!r}")
    node: Any = spec
    for step in reference[2:].split("/"):
        node = node[step.replace("~1", "/").replace("~0", "~")]
    return node


def assert_valid(spec_name: str, schema: Mapping[str, Any], value: Any) -> None:
    """Fail the test, listing every violation, unless ``value`` matches ``schema``."""
    errors = schema_errors(spec_name, schema, value)
    assert not errors, (f"{value!r} does not match {SPEC_FILES[spec_name]}:\n  "
                        + "\n  ".join(errors))


def assert_matches_component(spec_name: str, schema_name: str, value: Any) -> None:
    assert_valid(spec_name, component(spec_name, schema_name), value)


def assert_matches_response(spec_name: str, path: str, method: str, status: int | str,
                            value: Any, content_type: str = "application/json") -> None:
    assert_valid(spec_name, response_schema(spec_name, path, method, status, content_type), value)


# -- the SMS send response, checked more strictly than its spec can say -------------------------

def send_message_keys() -> frozenset[str]:
    """Every key a message object of the send response may have: Message's plus ErrorMessage's."""
    schemas = load_spec("sms")["components"]["schemas"]
    return frozenset(schemas["Message"]["properties"]) | frozenset(
        schemas["ErrorMessage"]["properties"])


def strict_send_response_errors(body: Any) -> list[str]:
    """What makes ``body`` more than the 1.5.1 spec's SMS/Error shapes allow, if anything.

    The body must be an object with exactly ``message-count`` and ``messages``; ``message-count``
    a string; every message an object whose keys the spec's Message or ErrorMessage defines and
    whose values are all strings.
    """
    if not isinstance(body, dict):
        return [f"the body is {type(body).__name__}, not an object"]
    problems = []
    top_keys = set(load_spec("sms")["components"]["schemas"]["SMS"]["properties"])
    if set(body) != top_keys:
        problems.append(f"top-level keys are {sorted(body)}, expected {sorted(top_keys)}")
    if not isinstance(body.get("message-count"), str):
        problems.append(f"message-count is {body.get('message-count')!r}, not a string")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return [*problems, f"messages is {messages!r}, not a non-empty list"]
    allowed = send_message_keys()
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            problems.append(f"messages[{index}] is {type(message).__name__}, not an object")
            continue
        unknown = sorted(set(message) - allowed)
        if unknown:
            problems.append(f"messages[{index}] has keys the spec does not define: {unknown}")
        for key, value in message.items():
            if not isinstance(value, str):
                problems.append(f"messages[{index}][{key!r}] is {value!r}, not a string")
    return problems


def assert_strict_send_response(body: Any) -> None:
    problems = strict_send_response_errors(body)
    assert not problems, f"{body!r} is not a strict SMS send response:\n  " + "\n  ".join(problems)


def assert_conforming_send_response(body: Any) -> None:
    """The 1.5.1 ``POST /sms/{format}`` 200 application/json schema, and the strict check."""
    assert_matches_response("sms", "/sms/{format}", "post", 200, body)
    assert_strict_send_response(body)
