// The document form of /kelola/dokumen/: the file goes from the browser straight to S3.
// 1. POST /api/v1/documents (JSON: type, size, content type, details) -> a presigned POST;
// 2. POST the presigned fields and the file to the bucket (multipart, another origin);
// 3. POST /api/v1/documents/<id>/confirm -> the worker checks the file; the page reloads.
// A static file: the pages' Content-Security-Policy forbids inline script.
"use strict";

(function () {
  const form = document.getElementById("document-upload");
  if (!form) {
    return;
  }
  const status = document.getElementById("document-status");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  async function api(url, body) {
    const answer = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const message = data.error && data.error.message;
      throw new Error(message || form.dataset.failed);
    }
    return data;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) {
      form.elements.file.focus();
      return;
    }
    const value = (name) => form.elements[name].value || null;
    status.textContent = form.dataset.sending;
    try {
      const started = await api(form.dataset.api, {
        type: value("type"),
        content_type: file.type,
        size: file.size,
        venue_id: value("venue_id") ? Number(value("venue_id")) : null,
        number: value("number") || "",
        issuer: value("issuer") || "",
        issued_on: value("issued_on"),
        expires_on: value("expires_on"),
      });
      const upload = new FormData();
      for (const [name, field] of Object.entries(started.upload.fields)) {
        upload.append(name, field);
      }
      upload.append("file", file);
      const sent = await fetch(started.upload.url, { method: "POST", body: upload });
      if (!sent.ok) {
        throw new Error(form.dataset.failed);
      }
      await api(`${form.dataset.api}/${started.document.id}/confirm`);
      status.textContent = form.dataset.checking;
      window.setTimeout(() => window.location.reload(), 1500);
    } catch (error) {
      status.textContent = error.message || form.dataset.failed;
    }
  });
})();
