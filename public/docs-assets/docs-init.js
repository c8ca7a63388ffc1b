// Starts Swagger UI on /api/schema/. No validator badge and no other outside request: the page
// works on a machine with no internet.
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: "/api/schema/",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: true,
    tryItOutEnabled: true,
  });
});
