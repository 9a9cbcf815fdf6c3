// The import run page's progress bar: polls the run's status until it finishes, then reloads.
// A static file, not an inline script, so the admin's Content-Security-Policy (script-src
// 'self') lets it run.
(function () {
    var box = document.getElementById("import-progress");
    function poll() {
        fetch(box.dataset.statusUrl, {credentials: "same-origin"})
            .then(function (r) { return r.json(); })
            .then(function (s) {
                // Finished, or stopped: the page says what happened and what to do next.
                if (s.finished || s.stalled) { window.location.reload(); return; }
                document.getElementById("import-stage").textContent = s.stage_label;
                document.getElementById("import-phase").textContent =
                    s.stage_label + (s.phase ? ": " + s.phase : "");
                document.getElementById("import-bar").value = s.percent;
                document.getElementById("import-count").textContent =
                    s.total > 1 ? s.done.toLocaleString() + " of " + s.total.toLocaleString() : "";
                setTimeout(poll, 1000);
            })
            .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 1000);
})();
