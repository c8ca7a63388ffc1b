// The password-reset page: the uid and token come from the page's own path
// (/account/reset/<uid>/<token>/); the form posts them with the new password and shows the answer.
const [, , , uid = "", token = ""] = location.pathname.split("/");
const form = document.getElementById("reset");
const message = document.getElementById("message");

function say(text, kind) {
  message.textContent = text;
  message.className = kind;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const body = { uid, token, new_password1: data.get("new_password1"), new_password2: data.get("new_password2") };
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch("/api/auth/password/reset/confirm/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const answer = await response.json();
    if (response.ok) {
      form.hidden = true;
      say(`${answer.detail} You can now sign in with it.`, "done");
    } else if (answer.token || answer.uid) {
      say("This link is no longer valid: it was used, it expired, or the password changed since. Ask for a new one.", "error");
    } else if (response.status === 429) {
      say(`Too many attempts. Try again in ${response.headers.get("Retry-After") ?? "a few"} seconds.`, "error");
    } else {
      say(answer.detail ?? Object.values(answer).flat().join(" "), "error");
    }
  } catch {
    say("The service could not be reached. Try again.", "error");
  } finally {
    button.disabled = false;
  }
});
