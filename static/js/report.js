// The report form on a profile: the page is cached for visitors, so it holds no CSRF token.
// One is asked for only when the form is sent, so reading a profile starts no session.
document.querySelectorAll("form[data-token-url]").forEach((form) => {
  let sending = false;
  form.addEventListener("submit", (event) => {
    const token = form.querySelector("input[name=csrf_token]");
    if (token.value) {
      return;
    }
    event.preventDefault();
    if (sending) {
      return;
    }
    sending = true;
    fetch(form.dataset.tokenUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : {}))
      .then((answer) => {
        token.value = answer.csrf_token || "";
      })
      .catch(() => {})
      // Without a token the server shows the form again, filled in, to send once more.
      .finally(() => form.submit());
  });
});
