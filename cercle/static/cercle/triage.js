// Keyboard-first triage: j/k move, o opens, y keeps, 1–5 dismiss with a reason, a accepts the machine's
// suggestion (keep, or dismiss with the reason it proposes), u undoes the last decision while its
// confirmation offers it. One key, one decision.
// The list is a listbox (one tab stop, arrow keys, Home/End, aria-activedescendant); the single-key
// shortcuts act only when focus is in it or on the page itself, and can be turned off (site.js). After a
// decision, focus is on the list again, on the message that took the decided one's place.
(function () {
  const body = document.getElementById("triage-body");
  if (!body) return;
  const cercle = window.cercle || {};
  const reasons = ["solicitation", "newsletter", "notification", "spam", "not_relevant"];
  const items = () => Array.from(document.querySelectorAll("#queue li"));
  const current = () => document.querySelector("#queue li.selected") || items()[0];
  let busy = false;
  let revealPreview = false;  // scroll to the next preview that arrives (narrow screens only)
  let decidedIndex = null;  // the position of the message just decided, to select the one taking its place
  let keepSelected = null;  // the id of the list item selected after a decision, until the swap settles
  let undone = false;  // the swap under way puts an undone decision back: the server selected it
  let refocus = false;  // focus was in what the swap under way replaces (or nowhere): put it on the list
  let announcePreview = false;  // say the next preview's sender and subject (focus is not on the list)

  const queue = () => document.getElementById("queue");
  const inQueue = (el) => { const q = queue(); return Boolean(q && q.contains(el)); };

  function mark(li) {
    items().forEach((el) => { el.classList.remove("selected"); el.setAttribute("aria-selected", "false"); });
    li.classList.add("selected");
    li.setAttribute("aria-selected", "true");
    const q = queue();
    if (q) q.setAttribute("aria-activedescendant", li.id);
  }

  function select(li, { reveal = false } = {}) {
    if (!li) return;
    mark(li);
    li.scrollIntoView({ block: "nearest" });
    revealPreview = reveal;
    // On the list, a screen reader says the option (sender and subject); elsewhere #announce says them.
    announcePreview = !inQueue(document.activeElement);
    htmx.ajax("GET", li.dataset.preview, { target: "#preview" });
  }

  // Where the work continues after a decision: the list (on the message now selected), or the sentence
  // saying the queue is empty.
  function focusQueue() {
    const target = queue() || document.getElementById("queue-empty");
    if (target) target.focus({ preventScroll: true });
  }

  // On a narrow screen the preview sits below the whole queue: bring it into view once it is loaded.
  function stacked() {
    const queue = document.getElementById("queue");
    const preview = document.getElementById("preview");
    return queue && preview && preview.getBoundingClientRect().top >= queue.getBoundingClientRect().bottom;
  }

  // Which message a decision request is about: the list item whose keep/dismiss URL it posts to.
  function indexOfDecided(path) {
    const list = items();
    const index = list.findIndex((li) => li.dataset.keep === path || li.dataset.dismiss === path);
    return index >= 0 ? index : list.indexOf(current());
  }

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "triage-body") {
      const active = document.activeElement;
      const messages = document.getElementById("messages");
      refocus = !active || active === document.body || active.id === "main" || body.contains(active) ||
        Boolean(messages && messages.contains(active));
      const config = event.detail.requestConfig || {};
      undone = config.verb === "post" && config.path === body.dataset.undo;
      decidedIndex = config.verb === "post" && !undone ? indexOfDecided(config.path) : null;
    }
  });

  // htmx puts the server's class attributes back when the new content settles: mark the selection again.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (!event.detail.target || event.detail.target.id !== "triage-body") return;
    if (keepSelected) {
      const li = document.getElementById(keepSelected);
      keepSelected = null;
      if (li) mark(li);
    }
    if (refocus) focusQueue();
    refocus = false;
    armUndo();
  });

  // The Undo button goes away when its time is up (the server refuses a late undo anyway); the
  // confirmation stays, as an ordinary message.
  function armUndo() {
    const form = document.getElementById("undo-form");
    if (!form || form.dataset.armed) return;
    form.dataset.armed = "true";
    window.setTimeout(() => {
      const box = form.closest(".undo");
      form.remove();
      if (box) box.classList.add("expired");
    }, (Number(form.dataset.undoSeconds) || 10) * 1000);
  }

  function undo() {
    const form = document.getElementById("undo-form");
    if (!form || busy) return;
    busy = true;
    htmx.ajax("POST", body.dataset.undo, { target: "#triage-body", values: { event: form.elements.event.value } })
      .finally(() => { busy = false; });
  }

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (!target) return;
    if (target.id === "triage-body") {
      // The server selects the first message; keep the selection where the decided one was instead.
      // This runs before htmx processes the new content, so the preview loader can still be pointed
      // at the right message (and only one preview request goes out).
      const list = items();
      if (decidedIndex !== null && list.length) {
        const li = list[Math.min(decidedIndex, list.length - 1)];
        mark(li);
        keepSelected = li.id;
        const loader = document.querySelector("#preview [hx-get]");
        if (loader) loader.setAttribute("hx-get", li.dataset.preview);
        li.scrollIntoView({ block: "nearest" });
        revealPreview = true;
      }
      decidedIndex = null;
      if (undone) {  // the server selected the message put back: show where it is in the list
        const li = document.querySelector(`#queue li[aria-selected="true"]`);
        if (li) {
          // Until the swap settles, htmx gives the new list items the old ones' classes: mark it now.
          mark(li);
          keepSelected = li.id;
          li.scrollIntoView({ block: "nearest" });
        }
        revealPreview = true;
        undone = false;
      }
    } else if (target.id === "preview") {
      const article = target.querySelector("article.preview");
      if (announcePreview && article && cercle.announce) cercle.announce(article.dataset.announceText);
      announcePreview = false;
      if (!revealPreview) return;
      revealPreview = false;
      if (stacked()) {
        const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        target.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
      }
    }
  });

  function decide(url, values) {
    const li = current();
    if (!li || busy) return;  // a second key press while the first is in flight is ignored
    busy = true;
    htmx.ajax("POST", url, { target: "#triage-body", values: Object.assign({ expected_state: li.dataset.state }, values) })
      .finally(() => { busy = false; });
  }

  const ARROWS = { ArrowDown: 1, ArrowUp: -1 };

  document.addEventListener("keydown", (event) => {
    const list = items();
    const li = current();
    const index = list.indexOf(li);
    // The listbox's own keys, whether the single-key shortcuts are on or off.
    const q = queue();
    if (q && document.activeElement === q && !event.ctrlKey && !event.metaKey && !event.altKey) {
      let to = null;
      if (event.key in ARROWS) to = list[Math.min(Math.max(index + ARROWS[event.key], 0), list.length - 1)];
      else if (event.key === "Home") to = list[0];
      else if (event.key === "End") to = list[list.length - 1];
      if (to) {
        if (to !== li) select(to);
        event.preventDefault();
        return;
      }
      if (event.key === "Enter") {
        if (li) window.location = li.dataset.preview.replace("/triage/", "/requests/");
        event.preventDefault();
        return;
      }
    }
    // Shortcuts only on the list or the page itself: a key pressed on a link, a button or a field is theirs.
    if (!cercle.shortcutAllowed || !cercle.shortcutAllowed(event, inQueue)) return;
    if (event.key === "j") select(list[Math.min(index + 1, list.length - 1)]);
    else if (event.key === "k") select(list[Math.max(index - 1, 0)]);
    else if (event.key === "o" || event.key === "Enter") { if (li) window.location = li.dataset.preview.replace("/triage/", "/requests/"); }
    else if (event.key === "y") decide(li && li.dataset.keep, {});
    else if (/^[1-5]$/.test(event.key)) decide(li && li.dataset.dismiss, { reason: reasons[Number(event.key) - 1] });
    else if (event.key === "u") undo();
    else if (event.key === "a") {
      const suggested = li && li.dataset.suggest;
      if (suggested === "keep") decide(li.dataset.keep, {});
      else if (suggested && reasons.includes(suggested)) decide(li.dataset.dismiss, { reason: suggested });
    }
    else return;
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const li = event.target.closest && event.target.closest("#queue li");
    if (li) select(li, { reveal: true });
  });
})();
