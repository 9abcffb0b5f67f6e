// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.value || source.textContent.trim()).then(() => {
    button.dataset.label = button.dataset.label || button.textContent;
    button.textContent = button.dataset.copied || "✓";
    setTimeout(() => { button.textContent = button.dataset.label; }, 1500);
  });
});
// Destructive actions confirm first (forms carry data-confirm).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
