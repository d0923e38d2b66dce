// Start Swagger UI on the API docs page with the settings the page carries.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  window.ui = window.SwaggerUIBundle(settings);
})();
