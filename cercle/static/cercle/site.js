// Behaviours every page may use, without inline script (the Content-Security-Policy forbids it).
//   <input data-autosubmit>          submits its form when it changes (a checklist step)
//   <form data-confirm="Question?">  asks before it is sent (removing a mailbox)
document.addEventListener("change", (event) => {
  const input = event.target.closest("[data-autosubmit]");
  if (input && input.form) input.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
