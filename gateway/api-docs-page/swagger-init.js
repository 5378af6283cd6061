// Swagger UI on this server's OpenAPI document. A file of its own: the Content-Security-Policy
// allows scripts from this origin only, no inline script.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // The online validator is elsewhere: the CSP (connect-src 'self') would refuse it anyway.
  validatorUrl: null,
});
