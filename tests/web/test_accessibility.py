"""The web chat to the public sector's standard (WCAG 2.2 AA), in Debian's Chromium.

Every screen the demo shows is checked with axe-core (the browser flows in test_browser.py check
theirs through the `shots` fixture too); then the chat is used by keyboard alone, and at 200% zoom.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.accessibility import assert_accessible
from tests.web.test_browser import be, expect, last_bot, page, say

pytestmark = pytest.mark.timeout(180)
__all__ = ["page"]  # the fixture, shared with the browser flows

WORKER, HR = "worker@medway.example", "hr@medway.example"


def test_every_demo_screen_meets_wcag_22_aa(page: Any, shots: Any) -> None:
    expect(page.locator("#connection")).to_contain_text("Connected as")
    shots(page, "a11y-01-start")

    be(page, "medway", WORKER, "Wendy Worker")
    say(page, "how much is SCP 39?")
    expect(last_bot(page).locator(".sources")).to_contain_text("§3.1")
    shots(page, "a11y-02-answer")

    say(page, "I want to go for level 3")
    expect(last_bot(page).get_by_role("button").first).to_be_visible()
    shots(page, "a11y-03-buttons")
    say(page, "cancel")

    be(page, "medway", HR, "Harriet HR")
    say(page, "add a panel")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    shots(page, "a11y-04-form-dialog")
    dialog.get_by_role("button", name="Submit").click()  # empty: the dialog says what is missing
    expect(dialog.get_by_role("alert")).to_contain_text("Please fill in")
    shots(page, "a11y-05-form-error")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.set_viewport_size({"width": 390, "height": 844})
    shots(page, "a11y-06-phone")


def test_the_chat_can_be_used_by_keyboard_alone(page: Any) -> None:
    """From the top of the page, Tab reaches the skip link, the pickers and the suggested buttons,
    Enter presses one, and the skip link takes focus to the message box; focus is always visible."""
    be(page, "coventry", "worker@coventry.example", "Wendy Worker")  # each test its own people
    suggestion = page.get_by_role("group", name="Things to try").get_by_role("button").first
    label = suggestion.inner_text()
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
    for _ in range(20):  # Tab on until the first suggestion has focus
        page.keyboard.press("Tab")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", (
            "the focused element has no visible focus indicator"
        )
        if suggestion.evaluate("b => b === document.activeElement"):
            break
    expect(suggestion).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#log .message.me").last).to_contain_text(label)
    expect(last_bot(page).locator(".text")).to_be_visible()

    page.get_by_role("link", name="Skip to the message box").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Message")).to_be_focused()
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    expect(page.locator("#log .message.me").last).to_contain_text("hello")
    assert_accessible(page, "keyboard")


def test_at_200_percent_zoom_nothing_is_cut_or_scrolls_sideways(chromium: Any, demo_server: str) -> None:
    """200% zoom of a 1280x800 window is a 640x400 CSS-pixel viewport at twice the pixel density;
    WCAG 1.4.10 also asks for reflow at 320 CSS pixels wide."""
    for width, height in ((640, 400), (320, 256)):
        context = chromium.new_context(viewport={"width": width, "height": height}, device_scale_factor=2)
        page = context.new_page()
        page.goto(demo_server)
        be(page, "medway", "manager@medway.example", "Maria Manager")
        say(page, "how much is SCP 39?")
        answer = last_bot(page)
        expect(answer.locator(".sources")).to_be_visible()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"at {width}px the page scrolls sideways ({scroll_width}px)"
        # bars that stay on screen (sticky or fixed) must leave most of it for the conversation
        covered = page.evaluate(
            """() => [...document.querySelectorAll("header, #composer")]
                 .filter((e) => ["sticky", "fixed"].includes(getComputedStyle(e).position))
                 .reduce((sum, e) => sum + e.getBoundingClientRect().height, 0)"""
        )
        assert covered <= 0.5 * height, f"at {width}px the fixed bars cover {covered:.0f} of {height}px"
        expect(page.get_by_label("Message")).to_be_in_viewport()
        assert_accessible(page, f"{width}px")
        context.close()
