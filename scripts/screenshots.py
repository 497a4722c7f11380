#!/usr/bin/env python
"""Take the README's screenshots from a running demo hub (`make run`), in French.

python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

from cercle.demo.data import MEMBERS

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--password", default="cercle-demo")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        def session(username: str, *, mobile: bool = False):
            viewport = {"width": 420, "height": 860} if mobile else {"width": 1280, "height": 860}
            context = browser.new_context(locale="fr-FR", viewport=viewport)
            page = context.new_page()
            page.goto(args.base + "/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            return page

        def shot(page, name: str) -> None:
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=False)
            print("saved", args.out / f"{name}.png")

        second = session("samuel")
        second.goto(args.base + "/triage/")
        shot(second, "triage")
        second.goto(args.base + "/routing/")
        link = second.locator("a[href*='/routing/']").filter(has_text=re.compile(".+")).nth(1)
        link.click()
        shot(second, "routing")
        second.goto(args.base + "/dashboard/")
        shot(second, "dashboard")
        second.goto(args.base + "/network/?q=bilan+carbone")
        shot(second, "network-search")
        second.goto(args.base + "/network/")
        second.locator("table a[href^='/network/']").first.click()
        shot(second, "network-profile")

        leader = session("lea", mobile=True)
        leader.goto(args.base + "/validation/")
        shot(leader, "validation")

        member = session("claire")
        member.goto(args.base + "/opportunities/")
        shot(member, "opportunities")

        # The project page, as the first member who leads a project in the demo hub.
        for username, *_rest in MEMBERS:
            lead = session(username)
            lead.goto(args.base + "/opportunities/")
            project = lead.locator("a[href^='/projects/']").first
            if project.count():
                project.click()
                shot(lead, "project")
                break
        browser.close()


if __name__ == "__main__":
    main()
