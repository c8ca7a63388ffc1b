// The email-verification page: the key comes from the page's own path
// (/account/verify-email/<key>/); a press of the button (not the mere opening of the link, which
// mail scanners do) posts it and shows the answer.
const [, , , key = ""] = location.pathname.split("/");
const button = document.getElementById("confirm");
const message = document.getElementById("message");

button.addEventListener("click", async () => {
  button.disabled = true;
  try {
    const response = await fetch("/api/auth/registration/verify-email/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ key }) });
    if (response.ok) {
      button.hidden = true;
      message.textContent = "Thank you: your email address is confirmed.";
      message.className = "done";
    } else {
      message.textContent = response.status === 404 ? "This link is not valid any more: it expired or the address changed. Ask for a new one." : "The address could not be confirmed. Try again.";
      message.className = "error";
    }
  } catch {
    message.textContent = "The service could not be reached. Try again.";
    message.className = "error";
  } finally {
    button.disabled = false;
  }
});
