"""The hook primitive, as spec/hooks.md §1 and §5.2 describe it."""

from __future__ import annotations

import pytest

from pocketlite.tools.hook import Event, Handler, Hook, HookError, TaggedHook


class Saved(Event):
    """A stand-in for a record event: a value the core action stores, and tags."""

    def __init__(self, value: str = "", tags: tuple[str, ...] = ()) -> None:
        self.value = value
        self.log: list[str] = []
        self._tags = tags

    def tags(self) -> tuple[str, ...]:
        return self._tags


def logging_handler(name: str):  # type: ignore[no-untyped-def]
    async def handler(e: Saved) -> None:
        e.log.append(f"{name} before")
        await e.next()
        e.log.append(f"{name} after")

    handler.__qualname__ = name
    return handler


async def core_action(e: Saved) -> None:
    e.log.append(f"core {e.value}")


async def test_handlers_wrap_the_core_action_in_priority_then_binding_order() -> None:
    hook: Hook[Saved] = Hook()
    hook.bind(Handler(logging_handler("late"), priority=5))
    hook.bind_func(logging_handler("first zero"))
    hook.bind_func(logging_handler("second zero"))
    hook.bind(Handler(logging_handler("early"), priority=-99))
    event = Saved("x")
    await hook.trigger(event, core_action)
    assert event.log == [
        "early before",
        "first zero before",
        "second zero before",
        "late before",
        "core x",
        "late after",
        "second zero after",
        "first zero after",
        "early after",
    ]


async def test_changes_before_next_are_what_the_core_action_uses() -> None:
    hook: Hook[Saved] = Hook()

    async def enrich(e: Saved) -> None:
        e.value = "enriched"
        await e.next()

    hook.bind_func(enrich)
    event = Saved("raw")
    await hook.trigger(event, core_action)
    assert event.log == ["core enriched"]


async def test_raising_before_next_vetoes_the_rest_of_the_chain() -> None:
    hook: Hook[Saved] = Hook()

    async def veto(e: Saved) -> None:
        raise ValueError("refused")

    hook.bind_func(logging_handler("outer"))
    hook.bind_func(veto)
    hook.bind_func(logging_handler("never"))
    event = Saved("x")
    with pytest.raises(ValueError, match="refused"):
        await hook.trigger(event, core_action)
    assert event.log == ["outer before"]


async def test_returning_without_next_replaces_the_core_action() -> None:
    hook: Hook[Saved] = Hook()

    async def replace(e: Saved) -> None:
        e.log.append("replaced")

    hook.bind_func(replace)
    hook.bind_func(logging_handler("never"))
    event = Saved("x")
    await hook.trigger(event, core_action)
    assert event.log == ["replaced"]


async def test_an_error_from_later_links_comes_out_of_next_to_pass_swallow_or_swap() -> None:
    async def failing_core(e: Saved) -> None:
        raise KeyError("core failed")

    seen: list[str] = []

    async def swallow(e: Saved) -> None:
        try:
            await e.next()
        except KeyError as exc:
            seen.append(f"swallowed {exc}")

    swallowing: Hook[Saved] = Hook()
    swallowing.bind_func(swallow)
    await swallowing.trigger(Saved(), failing_core)
    assert seen == ["swallowed 'core failed'"]

    async def swap(e: Saved) -> None:
        try:
            await e.next()
        except KeyError as exc:
            raise ValueError("swapped") from exc

    swapping: Hook[Saved] = Hook()
    swapping.bind_func(swap)
    with pytest.raises(ValueError, match="swapped"):
        await swapping.trigger(Saved(), failing_core)

    passing: Hook[Saved] = Hook()
    passing.bind_func(logging_handler("observer"))
    event = Saved()
    with pytest.raises(KeyError, match="core failed"):
        await passing.trigger(event, failing_core)
    assert event.log == ["observer before"]


async def test_binding_an_existing_id_replaces_that_handler_in_place() -> None:
    hook: Hook[Saved] = Hook()
    hook.bind(Handler(logging_handler("a"), id="a"))
    hook.bind(Handler(logging_handler("b"), id="b"))
    assert hook.bind(Handler(logging_handler("a2"), id="a")) == "a"
    assert len(hook) == 2
    event = Saved("x")
    await hook.trigger(event, core_action)
    assert event.log == ["a2 before", "b before", "core x", "b after", "a2 after"]


async def test_generated_ids_are_20_characters_and_unbind_removes_by_id() -> None:
    hook: Hook[Saved] = Hook()
    first = hook.bind_func(logging_handler("first"))
    second = hook.bind_func(logging_handler("second"))
    assert len(first) == 20 and first.isalnum() and first != second
    hook.unbind(first, "unknown")
    event = Saved("x")
    await hook.trigger(event, core_action)
    assert event.log == ["second before", "core x", "second after"]
    hook.unbind_all()
    assert len(hook) == 0


async def test_binding_and_unbinding_during_a_trigger_changes_only_later_triggers() -> None:
    hook: Hook[Saved] = Hook()
    ids: dict[str, str] = {}

    async def rebind(e: Saved) -> None:
        hook.unbind(ids["victim"])
        hook.bind_func(logging_handler("newcomer"))
        await e.next()

    hook.bind_func(rebind)
    ids["victim"] = hook.bind_func(logging_handler("victim"))
    running = Saved("1")
    await hook.trigger(running, core_action)
    assert running.log == ["victim before", "core 1", "victim after"]
    later = Saved("2")
    await hook.trigger(later, core_action)
    assert later.log == ["newcomer before", "core 2", "newcomer after"]


async def test_the_core_action_alone_runs_when_no_handler_is_bound() -> None:
    event = Saved("x")
    await Hook[Saved]().trigger(event, core_action)
    assert event.log == ["core x"]


async def test_next_on_the_last_link_does_nothing() -> None:
    hook: Hook[Saved] = Hook()
    hook.bind_func(logging_handler("only"))
    event = Saved()
    await hook.trigger(event)
    assert event.log == ["only before", "only after"]


async def test_nested_triggers_of_one_event_restore_the_outer_chain() -> None:
    # A model save wraps its execute step: the inner chain runs on the same event, and the
    # outer chain goes on where it was once the inner one is done.
    outer: Hook[Saved] = Hook()
    inner: Hook[Saved] = Hook()
    outer.bind_func(logging_handler("outer"))
    inner.bind_func(logging_handler("inner"))

    async def save(e: Saved) -> None:
        await inner.trigger(e, core_action)
        await e.next()  # the outer chain's own continuation, restored

    event = Saved("x")
    await outer.trigger(event, save, logging_handler("after save"))
    assert event.log == [
        "outer before",
        "inner before",
        "core x",
        "inner after",
        "after save before",
        "after save after",
        "outer after",
    ]


async def test_tagged_handlers_run_only_for_events_with_one_of_their_tags() -> None:
    hook: Hook[Saved] = Hook()
    TaggedHook(hook, ["posts", "pbc_123"]).bind_func(logging_handler("posts only"))
    TaggedHook(hook).bind_func(logging_handler("everything"))
    post, comment, cased = (
        Saved("p", ("posts", "pbc_1")),
        Saved("c", ("comments", "pbc_2")),
        Saved("P", ("Posts",)),
    )
    for event in (post, comment, cased):
        await hook.trigger(event, core_action)
    assert post.log == [
        "posts only before",
        "everything before",
        "core p",
        "everything after",
        "posts only after",
    ]
    assert comment.log == ["everything before", "core c", "everything after"]
    assert cased.log == ["everything before", "core P", "everything after"]  # exact, case-sensitive


def test_a_handler_that_is_not_async_is_refused_when_bound() -> None:
    def blocking(e: Saved) -> None:
        pass

    with pytest.raises(TypeError, match=r"hook handlers must be async functions: .*blocking"):
        Hook[Saved]().bind_func(blocking)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        TaggedHook(Hook[Saved](), ["posts"]).bind_func(blocking)  # type: ignore[arg-type]


async def test_next_called_without_await_is_an_error_naming_the_handler() -> None:
    hook: Hook[Saved] = Hook()

    async def forgetful(e: Saved) -> None:
        e.next()

    hook.bind_func(forgetful)
    event = Saved("x")
    with pytest.raises(HookError, match=r"forgetful called e\.next\(\) without awaiting it"):
        await hook.trigger(event, core_action)
    assert event.log == []
