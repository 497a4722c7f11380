// Behaviours every page may use, without inline script (the Content-Security-Policy forbids it).
//   <input data-autosubmit>          submits its form when it changes (a checklist step)
//   <form data-confirm="Question?">  asks before it is sent (removing a mailbox)
//   [data-announce]                  said once by the page's one live region (#announce, in base.html) when it
//                                    arrives, at load or in an htmx swap; data-announce="after" comes last
//   [data-focus-here]                takes focus when an htmx swap brings it (a form: its first field, or the
//                                    first one in error)
//   <input data-shortcuts-toggle>    turns the queues' single-key shortcuts on and off, in this browser
//   [data-stale-text="…"]            the result of a check of a form's fields (a connection test): when one of
//                                    those fields changes, it no longer says what the form says, and gives
//                                    way to this text
// window.cercle.announce(text) and window.cercle.shortcutAllowed(event, inQueue) serve triage.js and
// validation.js.
document.addEventListener("change", (event) => {
  const input = event.target.closest("[data-autosubmit]");
  if (input && input.form) input.form.requestSubmit();
});
document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (!form) return;
  form.querySelectorAll("[data-stale-text]").forEach((result) => {
    result.textContent = result.dataset.staleText;
    result.className = "muted";
    result.removeAttribute("role");
    result.removeAttribute("data-stale-text");
  });
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

(function () {
  const cercle = (window.cercle = window.cercle || {});

  // --- One live region, its text replaced -------------------------------------------------------
  // Emptied first, then filled a moment later: the same sentence twice in a row is said twice.
  let timer = null;
  cercle.announce = function (text) {
    const region = document.getElementById("announce");
    if (!region || !text) return;
    window.clearTimeout(timer);
    region.textContent = "";
    timer = window.setTimeout(() => { region.textContent = text; }, 80);
  };

  function spoken(el) {
    return (el.dataset.announceText || el.textContent || "").replace(/\s+/g, " ").trim();
  }

  function announceArrivals() {
    const all = Array.from(document.querySelectorAll("[data-announce]"));
    if (!all.length) return;
    const ordered = all.filter((el) => el.dataset.announce !== "after")
      .concat(all.filter((el) => el.dataset.announce === "after"));
    all.forEach((el) => el.removeAttribute("data-announce"));
    cercle.announce(ordered.map(spoken).filter(Boolean).join(" "));
  }

  const FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), " +
    "button:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

  function focusArrivals() {
    const el = document.querySelector("[data-focus-here]");
    if (!el) return;
    el.removeAttribute("data-focus-here");
    const target = el.matches(FIELDS) ? el : (el.querySelector("[aria-invalid=true]") || el.querySelector(FIELDS));
    if (target) target.focus();
  }

  // htmx puts the old attributes back on elements with the same id until the swap settles: act after it.
  let settling = null;
  document.addEventListener("htmx:afterSettle", () => {
    window.clearTimeout(settling);
    settling = window.setTimeout(() => { focusArrivals(); announceArrivals(); }, 0);
  });
  // At load, what the last step did (a flash message after a redirect) is said once the page is read.
  window.setTimeout(announceArrivals, 400);

  // --- Single-key shortcuts: where they act, and a switch to turn them off (WCAG 2.1.4) -------------
  const KEY = "cercle.shortcuts";
  cercle.shortcutsOn = function () {
    try { return window.localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
  };
  function showSwitches() {
    const on = cercle.shortcutsOn();
    document.querySelectorAll("[data-shortcuts-toggle]").forEach((input) => { input.checked = on; });
    document.documentElement.classList.toggle("shortcuts-off", !on);
  }
  document.addEventListener("change", (event) => {
    if (!event.target.matches("[data-shortcuts-toggle]")) return;
    try { window.localStorage.setItem(KEY, event.target.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    showSwitches();
  });
  showSwitches();

  // A shortcut acts only when they are on, without a modifier, and when focus is on the page itself (nothing
  // focused, or the main content the skip link lands on) or in the queue (`inQueue(element)`): never on a
  // link, a button or a field.
  cercle.shortcutAllowed = function (event, inQueue) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return false;
    if (!cercle.shortcutsOn()) return false;
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement || el.id === "main") return true;
    return Boolean(inQueue && inQueue(el));
  };
})();
