"""The line at the bottom: the keys the focused widget and its screen answer.

It draws what Textual's `Footer` draws (each shown binding as its key and
description, the command palette's key at the right end, a compact form for
narrow terminals, a click on a key pressing it) as one widget. `Footer` is
a scrolling container of a widget per key (~14 here): every frame's idle
round and every layout of the screen visited each of them (~1 ms of every
key's frame, bench/NOTES.md, issue 18), and a change of focus (Tab, the
prompt) composed them all again. Here a change of the bindings redraws one
line, and only when what it shows changed.

What it shows is Textual's own: `Screen.active_bindings` (the focused
widget's bindings first, then its ancestors', so `[keys]` remaps and the
label keys on the reader's screen are shown as they act), and
`App.get_key_display` for each key. Descriptions may come from
newsmark.toml (label names): drawn literally, never as markup.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from tui.literal import safe


class ShownKey(NamedTuple):
    key: str  # what a click presses
    display: str  # how the key is written
    description: str
    enabled: bool
    action: str = ""


HELP_ACTION = "help"  # kept at the end of a bar too narrow for every key
MAX_KEPT_LINES = 16  # a few screens' and widgets' bindings, at a few widths


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        width: 100%;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--separator { color: $foreground 20%; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--separator"}

    compact = reactive(False)
    """Less space between keys, for narrow terminals."""
    show_command_palette = reactive(True)
    """The command palette's key at the right end."""
    covered = reactive(False)
    """Another screen (help, a chooser) is over its own: its keys do not
    apply there, so none is shown (they were, and pressing one did nothing)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[ShownKey] = []
        self.palette_key: ShownKey | None = None
        # (first cell, cell after the last, key) of each key drawn, for clicks.
        self._hit_ranges: list[tuple[int, int, ShownKey]] = []
        # Lines drawn, by what they show: Tab moves the focus round a few
        # widgets, and each time the bar showed their keys it was drawn
        # anew (~1 ms of the frame).
        self._kept: dict[tuple[object, ...], tuple[Strip, list[tuple[int, int, ShownKey]]]] = {}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        active = screen.active_bindings
        keys: list[ShownKey] = []
        shown_actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            # One entry per action, as Footer does: a key and its alias are
            # one thing to learn.
            if binding.show and binding.action not in shown_actions:
                shown_actions.add(binding.action)
                keys.append(ShownKey(binding.key, self.app.get_key_display(binding),
                                     binding.description, enabled, binding.action))
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = ShownKey(binding.key, self.app.get_key_display(binding),
                               binding.description, enabled)
            keys = [key for key in keys if key.key != binding.key]
        if keys != self.keys or palette != self.palette_key:
            self.keys, self.palette_key = keys, palette
            self.refresh()

    def watch_compact(self) -> None:
        self.refresh()

    def watch_show_command_palette(self) -> None:
        self.refresh()

    def watch_covered(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        shows = (tuple(self.keys), self.palette_key, self.compact,
                 self.show_command_palette, self.covered, width)
        kept = self._kept.get(shows)
        if kept is None:
            base = self.rich_style
            line = self._line()
            line.stylize_before(base)
            strip = Strip(list(line.render(self.app.console))).crop_extend(0, width, base)
            if len(self._kept) >= MAX_KEPT_LINES:
                self._kept.clear()
            kept = self._kept[shows] = (strip, self._hit_ranges)
        strip, self._hit_ranges = kept
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._kept.clear()  # drawn in the colours of before

    def _line(self) -> Text:
        """The bar as text, and where each key is drawn (`_hit_ranges`)."""
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        line = Text(end="", no_wrap=True, overflow="crop")
        self._hit_ranges = []
        if self.covered:
            return line
        width = self.size.width
        palette_text = None
        if self.show_command_palette and self.palette_key is not None:
            key = self.palette_key
            palette_text = Text.assemble(
                ("▏", self.get_component_rich_style("key-bar--separator")),
                (safe(key.display), key_style), (f" {safe(key.description)} ", description_style))
        room = width - (palette_text.cell_len if palette_text is not None else 0)
        items = [(key, self._item(key, key_style, description_style)) for key in self.keys]
        shown: list[tuple[ShownKey | None, Text]] = list(items)
        if sum(item.cell_len for _, item in items) > room:
            # Too narrow for every key: whole keys up to a mark that some are
            # left out, then the help key, which lists them all (at 80
            # columns the bar ended at "x Remove", with Undo, Search and
            # Help nowhere).
            helps = [(key, item) for key, item in items if key.action == HELP_ACTION][:1]
            cut = Text("… ", style=description_style)
            left = room - cut.cell_len - sum(item.cell_len for _, item in helps)
            shown, used = [], 0
            for key, item in items:
                if key.action == HELP_ACTION:
                    continue
                if used + item.cell_len > left:
                    break
                shown.append((key, item))
                used += item.cell_len
            shown += [(None, cut), *helps]
        for key, item in shown:
            start = line.cell_len
            line.append_text(item)
            if key is not None:
                self._hit_ranges.append((start, line.cell_len, key))
        if palette_text is not None and self.palette_key is not None:
            line.append(" " * max(0, room - line.cell_len))
            start = line.cell_len
            line.append_text(palette_text)
            self._hit_ranges.append((start, line.cell_len, self.palette_key))
        return line

    def _item(self, key: ShownKey, key_style, description_style) -> Text:  # type: ignore[no-untyped-def]
        # As Footer's keys: " key description " wide, "key description " compact.
        display, description = safe(key.display), safe(key.description)
        if self.compact:
            parts = [(display, key_style)]
            if description:
                parts.append((f" {description}", description_style))
            parts.append((" ", ""))
        else:
            parts = [(f" {display} ", key_style)]
            if description:
                parts.append((f"{description} ", description_style))
        item = Text.assemble(*parts)
        if not key.enabled:
            item.stylize("dim")
        return item

    def key_at(self, x: int) -> ShownKey | None:
        """The key drawn at column `x`, if any."""
        return next((key for start, end, key in self._hit_ranges if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
