/* Start page (its entry module): local times for "your sessions", and focus on the error summary after a
   failed submit. */
const lang = document.documentElement.lang === 'en' ? 'en-GB' : 'nl-NL';
document.querySelectorAll('time[datetime]').forEach(function (node) {
  const when = new Date(node.getAttribute('datetime'));
  if (Number.isNaN(when.getTime())) return;
  node.textContent = when.toLocaleString(lang, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
});
const summary = document.querySelector('.error-summary');
if (summary) summary.focus();
