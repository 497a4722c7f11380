// Routing: ticking members numbers them in the order ticked (the order they are asked, one at a time);
// unticking clears the number and closes the gap. The numbers stay editable; without this script the
// page still works (the order of the page, or the numbers typed).
(function () {
  const pick = document.getElementById("member-pick");
  if (!pick) return;
  const orderOf = (box) => box.closest("label").querySelector("input.pick-order");
  const numbered = () =>
    Array.from(pick.querySelectorAll("input.pick-order"))
      .filter((input) => input.value !== "")
      .sort((a, b) => Number(a.value) - Number(b.value));

  pick.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const order = orderOf(box);
    if (!order) return;
    if (box.checked && order.value === "") {
      order.value = String(numbered().length + 1);
    } else if (!box.checked) {
      order.value = "";
      numbered().forEach((input, i) => { input.value = String(i + 1); });
    }
  });

  // A number typed for a member who is not ticked ticks them: a number means "ask them".
  pick.addEventListener("input", (event) => {
    const order = event.target;
    if (!(order instanceof HTMLInputElement) || !order.classList.contains("pick-order")) return;
    const box = order.closest("label").querySelector('input[type="checkbox"]');
    if (box && order.value !== "" && !box.checked && !box.disabled) box.checked = true;
  });
})();
