// Progressive enhancement only: every page works without it except live updates.
(function () {
  "use strict";
  // Uploads with a progress bar, one file after another, then a reload to show them.
  var input = document.querySelector("input[data-upload]");
  if (input) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      var bar = document.getElementById("upload-progress");
      var status = document.getElementById("upload-status");
      var total = files.reduce(function (s, f) { return s + f.size; }, 0) || 1;
      var done = 0;
      bar.hidden = false;
      function next(i) {
        if (i >= files.length) { status.textContent = "Uploaded. Reloading…"; location.reload(); return; }
        var f = files[i];
        var name = f.name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
        var xhr = new XMLHttpRequest();
        xhr.open("PUT", input.dataset.upload + encodeURIComponent(name));
        xhr.setRequestHeader("X-CSRF-Token", input.dataset.csrf);
        xhr.upload.onprogress = function (e) { bar.value = Math.round(100 * (done + e.loaded) / total); };
        xhr.onload = function () {
          if (xhr.status >= 200 && xhr.status < 300) { done += f.size; status.textContent = "Uploaded " + name; next(i + 1); }
          else { var m = "Upload of " + name + " failed"; try { m += ": " + JSON.parse(xhr.responseText).message; } catch (e) {} status.textContent = m; }
        };
        xhr.onerror = function () { status.textContent = "Upload of " + name + " failed: network error"; };
        status.textContent = "Uploading " + name + "…";
        xhr.send(f);
      }
      next(0);
    });
  }
  // Buttons that change things an operator cannot take back ask first.
  document.querySelectorAll("button[data-confirm]").forEach(function (b) {
    b.addEventListener("click", function (e) { if (!window.confirm(b.dataset.confirm)) { e.preventDefault(); } });
  });
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) { setTimeout(function () { location.reload(); }, +refresh.dataset.refresh); }
  // Live progress per kind, polled once a second until the run finishes.
  var box = document.querySelector("[data-progress]");
  if (box) {
    var rows = document.getElementById("progress-rows");
    var state = document.getElementById("progress-state");
    var tick = function () {
      fetch(box.dataset.progress, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
        rows.innerHTML = "";
        p.kinds.forEach(function (k) {
          var tr = document.createElement("tr");
          [k.kind, k.batches_done + " / " + k.batches, k.loaded, k.rejected].forEach(function (v) {
            var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
          });
          rows.appendChild(tr);
        });
        if (!p.kinds.length) { rows.innerHTML = "<tr><td colspan='4'>Planning…</td></tr>"; }
        state.textContent = "Run: " + (p.run_status || p.status);
        var rs = document.getElementById("run-status"); if (rs) { rs.textContent = p.run_status || ""; }
        if (p.finished) { if (p.run_status === "done") { document.getElementById("done-links").hidden = false; } return; }
        setTimeout(tick, 1000);
      }).catch(function () { state.textContent = "Cannot reach the server; retrying…"; setTimeout(tick, 3000); });
    };
    tick();
  }
})();
