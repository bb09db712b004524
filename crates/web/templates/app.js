// Progressive enhancement only: every page works without it except live updates.
(function () {
  "use strict";
  // Resumable uploads: each file is announced (POST), then sent in chunks of the size the
  // server names, each a PUT with Content-Range. A chunk that fails (network drop, server
  // error) is retried after asking the server where its copy ends; a refusal (4xx) stops
  // and removes the upload. One file after another, then a reload to show them.
  var input = document.querySelector("input[data-upload]");
  if (input) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      var bar = document.getElementById("upload-progress");
      var status = document.getElementById("upload-status");
      var base = input.dataset.upload;
      var csrf = input.dataset.csrf;
      var total = files.reduce(function (s, f) { return s + f.size; }, 0) || 1;
      var done = 0;
      var RETRIES = 5;
      bar.hidden = false;
      function send(method, url, body, headers, onprogress) {
        return new Promise(function (resolve) {
          var xhr = new XMLHttpRequest();
          xhr.open(method, url);
          xhr.setRequestHeader("X-CSRF-Token", csrf);
          Object.keys(headers || {}).forEach(function (h) { xhr.setRequestHeader(h, headers[h]); });
          if (onprogress) { xhr.upload.onprogress = onprogress; }
          xhr.onload = function () {
            var json = null; try { json = JSON.parse(xhr.responseText); } catch (e) {}
            resolve({ status: xhr.status, json: json });
          };
          xhr.onerror = function () { resolve({ status: 0, json: null }); };
          xhr.send(body);
        });
      }
      function message(r) { return r.json && r.json.message ? r.json.message : (r.status ? "HTTP " + r.status : "network error"); }
      function wait(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }
      async function uploadOne(f) {
        var name = f.name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
        var r = await send("POST", base, JSON.stringify({ name: name, size: f.size }), { "Content-Type": "application/json" });
        if (r.status !== 201) { throw new Error("Upload of " + name + " refused: " + message(r)); }
        var up = r.json, url = base + "/" + up.upload_id, offset = up.offset, tries = 0;
        while (!up.file) {
          var end = Math.min(offset + up.part_size, f.size);
          status.textContent = "Uploading " + name + "… " + Math.round(100 * offset / (f.size || 1)) + "%";
          r = await send("PUT", url, f.slice(offset, end), { "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + f.size },
            function (e) { bar.value = Math.round(100 * (done + offset + e.loaded) / total); });
          if (r.status === 200) { up = r.json; offset = up.offset; tries = 0; continue; }
          if (r.status === 409 && r.json && typeof r.json.offset === "number") {
            // The server's copy ends elsewhere (an earlier answer was lost): go on from there.
            if (r.json.offset === offset && ++tries > RETRIES) { throw new Error("Upload of " + name + " is stuck at byte " + offset); }
            offset = r.json.offset; continue;
          }
          if (r.status !== 0 && r.status < 500) {
            await send("DELETE", url, null, {});
            throw new Error("Upload of " + name + " failed: " + message(r));
          }
          if (++tries > RETRIES) { throw new Error("Upload of " + name + " failed after " + RETRIES + " retries: " + message(r)); }
          status.textContent = "Chunk failed (" + message(r) + "); retrying " + tries + "/" + RETRIES + "…";
          await wait(1000 * tries);
          var st = await send("GET", url, null, {});
          if (st.status === 200) { up = st.json; offset = up.offset; }
          // Gone: the last chunk arrived but its answer was lost, and the file was made.
          else if (st.status === 404 && end === f.size) { break; }
        }
        done += f.size;
        bar.value = Math.round(100 * done / total);
        status.textContent = "Uploaded " + name;
      }
      (async function () {
        try {
          for (var i = 0; i < files.length; i++) { await uploadOne(files[i]); }
          status.textContent = "Uploaded. Reloading…";
          location.reload();
        } catch (e) { status.textContent = e.message; }
      })();
    });
  }
  // Corrected rejects: the chosen file's bytes go to the job's corrections endpoint; the
  // answer names the new job, whose page is then opened.
  var fixes = document.getElementById("corrections-form");
  if (fixes) {
    fixes.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = document.getElementById("corrections-file").files[0];
      var table = document.getElementById("corrections-table").value;
      var out = document.getElementById("corrections-status");
      if (!file) { out.textContent = "Choose the corrected file first."; return; }
      out.textContent = "Sending " + file.name + "…";
      fetch(fixes.dataset.corrections + "?table=" + encodeURIComponent(table), {
        method: "POST", credentials: "same-origin", body: file,
        headers: { "X-CSRF-Token": fixes.dataset.csrf, "Content-Type": "text/csv" }
      }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (r) {
          if (r.ok) { location.href = "/jobs/" + r.j.job.id; }
          else { out.textContent = "Refused: " + (r.j.message || "error"); }
        }).catch(function () { out.textContent = "Cannot reach the server."; });
    });
  }
  // Buttons that change things an operator cannot take back ask first.
  document.querySelectorAll("button[data-confirm]").forEach(function (b) {
    b.addEventListener("click", function (e) { if (!window.confirm(b.dataset.confirm)) { e.preventDefault(); } });
  });
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) { setTimeout(function () { location.reload(); }, +refresh.dataset.refresh); }
  // Live progress per kind, polled once a second until the run finishes: a bar, the counts
  // and the time left per kind, at the run's pace so far.
  var box = document.querySelector("[data-progress]");
  if (box) {
    var rows = document.getElementById("progress-rows");
    var state = document.getElementById("progress-state");
    var duration = function (s) {
      if (s < 60) { return s + " s"; }
      if (s < 3600) { return Math.floor(s / 60) + " min" + (s % 60 ? " " + (s % 60) + " s" : ""); }
      return Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min";
    };
    var cell = function (tr, text, tag) {
      var td = document.createElement(tag || "td"); td.textContent = text; tr.appendChild(td); return td;
    };
    var tick = function () {
      fetch(box.dataset.progress, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
        rows.textContent = "";
        p.kinds.forEach(function (k) {
          var tr = document.createElement("tr");
          var th = cell(tr, k.label + " ", "th"); th.scope = "row";
          var slug = document.createElement("small"); slug.className = "slug"; slug.textContent = k.kind; th.appendChild(slug);
          var bar = document.createElement("progress");
          bar.max = Math.max(k.batches, 1); bar.value = k.batches_done; bar.setAttribute("aria-label", k.label);
          bar.textContent = k.batches_done + " / " + k.batches;
          cell(tr, "").appendChild(bar);
          cell(tr, k.batches_done + " / " + k.batches);
          cell(tr, k.loaded);
          cell(tr, k.rejected);
          cell(tr, k.eta_seconds === null ? "estimating…" : (k.eta_seconds === 0 ? "done" : "about " + duration(k.eta_seconds)));
          rows.appendChild(tr);
        });
        if (!p.kinds.length) { var tr = document.createElement("tr"); var td = cell(tr, "Planning…"); td.colSpan = 6; rows.appendChild(tr); }
        var left = (!p.finished && p.eta_seconds) ? "; about " + duration(p.eta_seconds) + " left" : "";
        state.textContent = "Run: " + (p.run_status || p.status) + left;
        var rs = document.getElementById("run-status"); if (rs) { rs.textContent = p.run_status || ""; }
        if (p.finished) {
          if (p.run_status === "done") {
            var links = document.getElementById("done-links");
            // Finished while watching: reload once so the parts rendered only for a done
            // job (verdict, summary, corrections) appear.
            if (links.hidden) { location.reload(); }
          }
          return;
        }
        setTimeout(tick, 1000);
      }).catch(function () { state.textContent = "Cannot reach the server; retrying…"; setTimeout(tick, 3000); });
    };
    tick();
  }
  // The review form remembers that it holds unsaved changes, so a finished check never
  // reloads the page over them.
  var mapping = document.getElementById("mapping-form");
  var dirty = false;
  if (mapping) {
    mapping.addEventListener("change", function () {
      dirty = true;
      document.getElementById("unsaved").textContent = "Unsaved changes.";
    });
  }
  var poll = document.querySelector("[data-check-poll]");
  if (poll) {
    var check = function () {
      fetch(poll.dataset.checkPoll, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (c) {
        if (c.status === "waiting" || c.status === "running") { setTimeout(check, 2000); return; }
        if (dirty) { poll.textContent = "The check is ready: save your changes to see it with them."; return; }
        location.reload();
      }).catch(function () { setTimeout(check, 5000); });
    };
    setTimeout(check, 1500);
  }
  // The rejects grid marks the cells changed and counts them.
  var grid = document.querySelector("form[data-grid]");
  if (grid) {
    var status = document.getElementById("grid-status");
    grid.addEventListener("input", function (e) {
      var input = e.target;
      if (input.dataset.original === undefined) { return; }
      input.classList.toggle("changed", input.value !== input.dataset.original);
      var changed = grid.querySelectorAll("input.changed");
      var rowsChanged = new Set(Array.prototype.map.call(changed, function (i) { return i.closest("tr"); }));
      status.textContent = changed.length ? changed.length + " cell(s) changed in " + rowsChanged.size + " row(s)" : "";
    });
  }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
