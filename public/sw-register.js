// Registers the service worker (public/sw.js) for every visitor, so the app works offline after
// one visit, and offers a newer build when one has been installed: "A new version is available —
// reload". Pages never mix builds: the new worker takes over only when the analyst reloads
// through that offer (or closes every tab of the app). A file of its own because the page's
// Content-Security-Policy allows no inline script.
(() => {
  if (!("serviceWorker" in navigator)) return;
  const sw = navigator.serviceWorker;
  let accepted = false;

  function offer(waiting) {
    // No controller: this is the first install, which activates by itself.
    if (!sw.controller || document.getElementById("ns-update")) return;
    const bar = document.createElement("div");
    bar.id = "ns-update";
    bar.className = "ns-update";
    bar.setAttribute("role", "status");
    const text = document.createElement("span");
    text.textContent = "A new version is available.";
    const reload = document.createElement("button");
    reload.type = "button";
    reload.id = "ns-update-reload";
    reload.className = "ns-button ns-button--primary";
    reload.textContent = "Reload";
    reload.addEventListener("click", () => {
      accepted = true;
      reload.disabled = true;
      waiting.postMessage("skip-waiting");
    });
    const later = document.createElement("button");
    later.type = "button";
    later.className = "ns-button ns-button--ghost";
    later.textContent = "Later";
    later.addEventListener("click", () => bar.remove());
    bar.append(text, reload, later);
    document.body.append(bar);
  }

  sw.addEventListener("controllerchange", () => {
    if (accepted) location.reload();
  });

  addEventListener("load", () => {
    sw.register("./sw.js")
      .then((reg) => {
        if (reg.waiting) offer(reg.waiting);
        reg.addEventListener("updatefound", () => {
          const next = reg.installing;
          if (!next) return;
          next.addEventListener("statechange", () => {
            if (next.state === "installed") offer(next);
          });
        });
      })
      .catch((err) => console.warn("netsift: offline support unavailable:", err));
  });
})();
