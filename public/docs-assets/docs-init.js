// Starts Swagger UI on /api/schema/. No validator badge and no other outside request: the page
// works on a machine with no internet.
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: "/api/schema/",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    // A token given to "Authorize" lives in the page's memory only. Persisting it would keep it in
    // localStorage of this origin, which the admin console shares, for any script or visitor of
    // the machine to read long after the tab is closed. No query parameter may turn it back on.
    persistAuthorization: false,
    queryConfigEnabled: false,
    tryItOutEnabled: true,
  });
});
