// Small enhancements for browsers that run JavaScript; every page works
// without them.
(function () {
  "use strict";

  // A time zone list with nothing chosen yet takes the browser's zone
  // when the list offers it, and says so; saving keeps it.
  function suggestZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone) return;
    document.querySelectorAll("select[data-zone-suggest]").forEach(function (select) {
      if (select.value !== "") return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) {
          select.value = zone;
          var note = document.getElementById(select.id + "-suggested");
          if (note) note.hidden = false;
          return;
        }
      }
    });
    document.querySelectorAll("input[data-zone-auto]").forEach(function (input) {
      if (input.value === "") input.value = zone;
    });
  }


  // Passkeys (WebAuthn): adding one at /me/security and signing in with
  // one at /login. The buttons stay hidden where the browser has no
  // WebAuthn; the pages say so and everything else works as before.
  function fromB64u(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toB64u(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function postJson(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () {
        return { error: res.statusText || String(res.status) };
      }).then(function (data) {
        if (!res.ok) throw new Error(data.error || res.statusText);
        return data;
      });
    });
  }

  function say(box, text) {
    var out = box.querySelector("[data-passkey-status]");
    if (out) {
      out.textContent = text;
      out.hidden = false;
    }
  }

  function registerPasskey(box) {
    var form = box.querySelector("form");
    var csrf = box.getAttribute("data-csrf");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = form.querySelector("[name=name]").value;
      postJson("/me/security/passkeys/start", csrf, { name: name })
        .then(function (start) {
          var pk = start.options.publicKey;
          pk.challenge = fromB64u(pk.challenge);
          pk.user.id = fromB64u(pk.user.id);
          (pk.excludeCredentials || []).forEach(function (c) { c.id = fromB64u(c.id); });
          return navigator.credentials.create({ publicKey: pk }).then(function (cred) {
            return postJson("/me/security/passkeys/finish", csrf, {
              challenge: start.challenge,
              name: name,
              credential: {
                id: cred.id,
                rawId: toB64u(cred.rawId),
                type: cred.type,
                response: {
                  attestationObject: toB64u(cred.response.attestationObject),
                  clientDataJSON: toB64u(cred.response.clientDataJSON)
                },
                extensions: cred.getClientExtensionResults()
              }
            });
          });
        })
        .then(function (done) { window.location.assign(done.redirect); })
        .catch(function (e) { say(box, e.message || String(e)); });
    });
  }

  function signInWithPasskey(box) {
    var button = box.querySelector("button");
    var csrf = box.getAttribute("data-csrf");
    var next = box.getAttribute("data-next") || "/";
    var startUrl = box.getAttribute("data-start") || "/login/passkey/start";
    var finishUrl = box.getAttribute("data-finish") || "/login/passkey/finish";
    button.addEventListener("click", function () {
      postJson(startUrl, csrf, {})
        .then(function (start) {
          var pk = start.options.publicKey;
          pk.challenge = fromB64u(pk.challenge);
          (pk.allowCredentials || []).forEach(function (c) { c.id = fromB64u(c.id); });
          return navigator.credentials.get({ publicKey: pk }).then(function (a) {
            return postJson(finishUrl, csrf, {
              challenge: start.challenge,
              next: next,
              credential: {
                id: a.id,
                rawId: toB64u(a.rawId),
                type: a.type,
                response: {
                  authenticatorData: toB64u(a.response.authenticatorData),
                  clientDataJSON: toB64u(a.response.clientDataJSON),
                  signature: toB64u(a.response.signature),
                  userHandle: a.response.userHandle ? toB64u(a.response.userHandle) : null
                },
                extensions: a.getClientExtensionResults()
              }
            });
          });
        })
        .then(function (done) { window.location.assign(done.redirect); })
        .catch(function (e) { say(box, e.message || String(e)); });
    });
  }

  function passkeys() {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    document.querySelectorAll("[data-passkey-register]").forEach(function (box) {
      box.hidden = false;
      registerPasskey(box);
    });
    document.querySelectorAll("[data-passkey-sign-in]").forEach(function (box) {
      box.hidden = false;
      signInWithPasskey(box);
    });
    document.querySelectorAll("[data-passkey-missing]").forEach(function (note) {
      note.hidden = true;
    });
  }

  function ready() {
    suggestZone();
    passkeys();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
