// The leader's validation queue with the keyboard: j/k put focus on the next or previous card waiting for a
// decision, a approves it, l sets it aside for later, d puts focus in its note (write the reason, then
// Ctrl+Enter declines; Escape in the note goes back to the card). The keys act only when focus is on a card itself or on
// the page, and not when the shortcuts are turned off (site.js). Each key presses the card's own button, so
// the note goes with the decision and htmx swaps the card as for a click.
// After a decision, focus goes where the work continues: the next card waiting (the card itself after a key,
// its first field after a button), or the page's heading when none is left. site.js says what happened and
// how many are left (data-announce in the swapped card and count).
(function () {
  const list = document.getElementById("validation-cards");
  if (!list) return;
  const cercle = window.cercle || {};
  const cards = () => Array.from(list.querySelectorAll("article.decision-card"));
  const waiting = (card) => !card.classList.contains("done-card");
  let last = null;  // the id of the card the leader is on
  let decided = null;  // the id of the card whose decision is in flight, and how it was made
  let byKey = false;

  const cardOf = (el) => (el && el.closest ? el.closest("article.decision-card") : null);
  const onCard = (el) => Boolean(el && el.matches && el.matches("article.decision-card") && list.contains(el));

  function current() {
    const card = cardOf(document.activeElement);
    if (card && list.contains(card)) return card;
    return (last && document.getElementById(last)) || cards().find(waiting) || null;
  }

  function focusCard(card) {
    if (!card) return;
    last = card.id;
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  // The next card waiting after `from` in the direction `step` (from the top when there is no card yet).
  function next(from, step) {
    const all = cards();
    let i = from ? all.indexOf(from) : (step > 0 ? -1 : all.length);
    for (i += step; i >= 0 && i < all.length; i += step) if (waiting(all[i])) return all[i];
    return null;
  }

  function press(card, decision) {
    const button = card && card.querySelector(`button[data-decision="${decision}"]`);
    if (!button || button.disabled) return;
    byKey = true;
    button.click();
  }

  function armDecline(card) {
    const note = card && card.querySelector("textarea[name=note]");
    const hint = card && card.querySelector(".decline-hint");
    if (!note) return;
    card.dataset.declining = "true";
    if (hint) { hint.hidden = false; note.setAttribute("aria-describedby", hint.id); }
    last = card.id;
    note.focus();
  }

  function disarm(card) {
    const hint = card.querySelector(".decline-hint");
    delete card.dataset.declining;
    if (hint) hint.hidden = true;
    const note = card.querySelector("textarea[name=note]");
    if (note) note.removeAttribute("aria-describedby");
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    // In the note after d: Ctrl+Enter declines, Escape gives the card back. Enter alone adds a line.
    // Escape, in the note, gives the card back (where j/k and the keys work again).
    if (target.matches && target.matches("textarea[name=note]")) {
      const card = cardOf(target);
      if (!card) return;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && card.dataset.declining) {
        event.preventDefault();
        press(card, "decline");
      } else if (event.key === "Escape") {
        event.preventDefault();
        disarm(card);
        focusCard(card);
      }
      return;
    }
    if (!cercle.shortcutAllowed || !cercle.shortcutAllowed(event, onCard)) return;
    const card = current();
    if (event.key === "j") focusCard(next(onCard(document.activeElement) ? card : null, 1) || card);
    else if (event.key === "k") focusCard(next(onCard(document.activeElement) ? card : null, -1) || card);
    else if (event.key === "a" && card && waiting(card)) press(card, "approve");
    else if (event.key === "l" && card && waiting(card)) press(card, "later");
    else if (event.key === "d" && card && waiting(card)) armDecline(card);
    else return;
    event.preventDefault();
  });

  document.addEventListener("focusin", (event) => {
    const card = cardOf(event.target);
    if (card && list.contains(card)) last = card.id;
  });

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const card = cardOf(event.detail.elt);
    if (!card || !list.contains(card)) return;
    decided = card.id;
  });

  document.body.addEventListener("htmx:afterSettle", () => {
    if (!decided) return;
    const id = decided;
    const viaKey = byKey;
    decided = null;
    byKey = false;
    const active = document.activeElement;
    const card = document.getElementById(id);
    // Focus went with the swapped card; if it is somewhere else on purpose, leave it there.
    if (active && active !== document.body && !(card && card.contains(active))) return;
    if (card && waiting(card)) {  // refused (someone else decided first, a stale page): stay on it
      focusCard(card);
      return;
    }
    const to = next(card, 1) || next(card, -1);
    if (!to) {
      const heading = document.getElementById("validation-heading");
      if (heading) heading.focus();
      return;
    }
    if (viaKey) focusCard(to);
    else {
      last = to.id;
      const first = to.querySelector("textarea, input:not([type=hidden]), button, a[href]");
      (first || to).focus();
      to.scrollIntoView({ block: "nearest" });
    }
  });
})();
