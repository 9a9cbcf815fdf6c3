// Runs the calls Wagtail would have made from inline <script> tags (date pickers, inline
// panels, choosers), which the admin's Content-Security-Policy does not allow. Each call is
// carried by an inert <template data-csp-call|data-csp-construct ... data-csp-options="JSON">,
// written by our copies of Wagtail's widget and panel templates
// (tracker/signin/templates/wagtailadmin/) and by the choosers (tracker/signin/choosers.py).
(function () {
  "use strict";
  function run(root) {
    var found = root.querySelectorAll("template[data-csp-call], template[data-csp-construct]");
    Array.prototype.forEach.call(found, function (el) {
      if (el.dataset.cspDone) return;
      var options = JSON.parse(el.dataset.cspOptions || "{}");
      if (el.dataset.cspCall) {
        var fn = window[el.dataset.cspCall];
        if (typeof fn !== "function") return;
        el.dataset.cspDone = "1";
        fn(el.dataset.cspTarget, options);
      } else {
        var Ctor = window[el.dataset.cspConstruct];
        if (typeof Ctor !== "function") return;
        el.dataset.cspDone = "1";
        // A chooser is new Chooser(id, options); an inline panel new InlinePanel(options).
        if (el.dataset.cspTarget) new Ctor(el.dataset.cspTarget, options);
        else new Ctor(options);
      }
    });
  }
  function start() {
    run(document);
    // Forms added later (an inline panel's "Add", a modal) bring their own templates.
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        Array.prototype.forEach.call(mutation.addedNodes, function (node) {
          if (node.nodeType === 1) run(node.parentNode || node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
