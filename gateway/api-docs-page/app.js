// Renders /api/openapi.json as a list of operations: method, path, summary, who may call it,
// parameters and request body. Text only (textContent), never markup from the document.
"use strict";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function typeOf(schema) {
  if (!schema) return "";
  if (schema.enum) return schema.enum.join(" | ");
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
  const t = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type || "any";
  const limits = [];
  for (const k of ["minimum", "maximum", "exclusiveMinimum", "minLength", "maxLength", "maxItems", "format", "default"]) {
    if (schema[k] !== undefined) limits.push(`${k} ${JSON.stringify(schema[k])}`);
  }
  return limits.length ? `${t} (${limits.join(", ")})` : t;
}

function operation(path, method, op) {
  const head = el("header", {},
    el("span", { class: `method ${method}` }, method.toUpperCase()),
    el("span", { class: "path", "data-testid": "route-path" }, path),
    el("span", {}, op.summary || ""));
  const who = op["x-required-role"] ? `needs ${op["x-required-role"]}${op["x-api-keys"] ? "" : ", not with an API key"}` : "no login";
  const box = el("section", { class: "op", "data-testid": "route", "data-method": method.toUpperCase(), "data-path": path }, head,
    el("div", { class: "meta" }, who, op["x-action"] ? ` · action ${op["x-action"]}` : ""));
  if (op.parameters && op.parameters.length) {
    const table = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "required"), el("th", {}, "schema")));
    for (const p of op.parameters) table.append(el("tr", {}, el("td", {}, p.name), el("td", {}, p.in), el("td", {}, p.required ? "yes" : "no"), el("td", {}, typeOf(p.schema))));
    box.append(table);
  }
  const body = op.requestBody && op.requestBody.content["application/json"];
  if (body) box.append(el("div", { class: "meta" }, "JSON body"), el("pre", {}, JSON.stringify(body.schema, null, 2)));
  return box;
}

fetch("/api/openapi.json", { headers: { accept: "application/json" } })
  .then((r) => {
    if (!r.ok) throw new Error(`the document answered ${r.status}`);
    return r.json();
  })
  .then((doc) => {
    document.title = `${doc.info.title} ${doc.info.version}`;
    const main = document.getElementById("routes");
    for (const path of Object.keys(doc.paths).sort()) {
      for (const [method, op] of Object.entries(doc.paths[path])) main.append(operation(path, method, op));
    }
    main.setAttribute("data-ready", "true");
  })
  .catch((err) => {
    const e = document.getElementById("error");
    e.hidden = false;
    e.textContent = `Could not load the API document: ${err.message}`;
  });
