/* convene calendar widget. SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * Shows a convene calendar on any web page:
 *
 *   <div data-convene-calendar="massachusetts" data-view="list" data-limit="5">
 *     <a href="https://convene.example/calendars/massachusetts">Upcoming events
 *       on the Massachusetts calendar</a>
 *   </div>
 *   <script src="https://convene.example/embed/widget.js" async></script>
 *
 * data-convene-calendar  calendar slug, or * for every event on the site (required)
 * data-view              "list" of upcoming events (default) or "month" grid
 * data-limit             events in the list, 1 to 50 (default 5)
 * data-group             only this group's events (group slug)
 * data-theme             "light" (default) or "dark"
 * data-site              convene address; by default where this script came from
 *
 * The link inside the div stays when JavaScript is off or the calendar cannot
 * be loaded; otherwise the widget replaces it and ends with a "Full calendar"
 * link to the same address. Several widgets, or the script tag pasted twice,
 * are fine. The one request is GET <site>/embed/calendars/<slug>.json without
 * cookies; event text is set as text, never parsed as HTML; the one <style>
 * element added holds rules under .convene-w only. ES2019, no build step.
 */
(function () {
  "use strict";

  var doc = document;
  var PATH = "/embed/widget.js";
  // Only set while this file first runs, so read it now.
  var ownScript = doc.currentScript;
  var MON = Date.UTC(2024, 0, 1); // a Monday, to name the weekdays

  function bare(u) {
    return String(u).split(/[?#]/)[0];
  }

  function endsWithPath(u) {
    return bare(u).slice(-PATH.length) === PATH;
  }

  // The convene site this script came from: the script address without
  // /embed/widget.js, which keeps a path prefix if convene is served under one.
  function scriptSite() {
    var s = ownScript, all, i;
    if (!s || !s.src) {
      all = doc.querySelectorAll("script[src]");
      for (i = all.length - 1; i >= 0 && !s; i--) if (endsWithPath(all[i].src)) s = all[i];
    }
    if (!s || !s.src) return "";
    return endsWithPath(s.src) ? bare(s.src).slice(0, -PATH.length) : new URL(s.src).origin;
  }

  var CSS =
    ".convene-w{all:initial;display:block;--b:#fff;--f:#1a1a1a;--m:#555;--a:#1d4ed8;--l:#d4d4d8;--s:#f4f4f5;--x:#b91c1c;" +
    'color:var(--f);background:var(--b);font:medium/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;' +
    "border:1px solid var(--l);border-radius:.5em;padding:1em}" +
    ".convene-w-dark{--b:#111315;--f:#ececec;--m:#b4b4b4;--a:#8ab4ff;--l:#3f3f46;--s:#1c1f22;--x:#fca5a5}" +
    ".convene-w *{box-sizing:border-box;margin:0;padding:0;border:0;background:none;color:inherit;font:inherit;" +
    "text-align:left;text-transform:none;letter-spacing:normal;float:none;width:auto;height:auto;max-width:none;box-shadow:none}" +
    ".convene-w a{color:var(--a);text-decoration:underline;text-underline-offset:.15em}" +
    ".convene-w a:focus-visible,.convene-w button:focus-visible{outline:3px solid var(--a);outline-offset:2px}" +
    ".convene-w a:not([href]){color:inherit;text-decoration:none}" +
    ".convene-w s{text-decoration:line-through}" +
    ".convene-w-h{font-size:1.25em;font-weight:700;line-height:1.25;margin-bottom:.6em}" +
    ".convene-w-h a{color:inherit}" +
    ".convene-w-l{list-style:none}" +
    ".convene-w-l li{padding:.6em 0;border-top:1px solid var(--l)}" +
    ".convene-w-l li:first-child{border:0;padding-top:0}" +
    ".convene-w-l a{font-weight:600}" +
    ".convene-w-l time,.convene-w-g{display:block;color:var(--m);font-size:.9em}" +
    ".convene-w-x{font-size:.8em;font-weight:700;color:var(--x);border:1px solid;border-radius:.3em;padding:0 .3em;margin-right:.3em}" +
    ".convene-w-e{color:var(--m)}" +
    ".convene-w-f{display:flex;flex-wrap:wrap;gap:.3em 1.2em;margin-top:.8em;font-size:.9em}" +
    ".convene-w-n{display:flex;align-items:center;gap:.5em;margin-bottom:.5em}" +
    ".convene-w-s{flex:1;font-weight:700;text-align:center}" +
    ".convene-w button{cursor:pointer;border:1px solid var(--l);border-radius:.3em;padding:.1em .7em;font-size:1.2em;line-height:1.3;color:var(--a);background:var(--b)}" +
    ".convene-w button:hover{background:var(--s)}" +
    ".convene-w-t{width:100%;table-layout:fixed;border-collapse:collapse;font-size:.85em}" +
    ".convene-w-t th{padding:.2em;text-align:center;font-weight:600;color:var(--m)}" +
    ".convene-w-t abbr{text-decoration:none}" +
    ".convene-w-t td{height:4.5em;padding:.2em .25em;border:1px solid var(--l);vertical-align:top;overflow-wrap:anywhere;line-height:1.25}" +
    ".convene-w-t [aria-current]{background:var(--s);box-shadow:inset 0 3px var(--a)}" +
    ".convene-w-t [aria-current] .convene-w-d{font-weight:700;color:var(--f)}" +
    ".convene-w-d{display:block;color:var(--m);font-size:.9em}" +
    ".convene-w-t ul{list-style:none}" +
    ".convene-w-t li{margin-top:.25em}" +
    ".convene-w-t time{color:var(--m);white-space:nowrap}" +
    ".convene-w-r{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    ".convene-w [aria-busy=true]{opacity:.5}";

  function addStyle() {
    if (doc.getElementById("convene-w-css")) return;
    var s = doc.createElement("style");
    s.id = "convene-w-css";
    s.textContent = CSS;
    (doc.head || doc.documentElement).appendChild(s);
  }

  function str(v) {
    return v == null ? "" : String(v);
  }

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = "convene-w-" + cls;
    if (text) e.textContent = text;
    return e;
  }

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }

  // Only web and calendar-subscription links: an address in the data must
  // never become javascript: or data: in the host page.
  function safeUrl(u, site) {
    if (!u) return "";
    try {
      var x = new URL(String(u), site + "/");
      return /^(https?|webcal):$/.test(x.protocol) ? x.href : "";
    } catch (e) {
      return "";
    }
  }

  function link(href, text, site) {
    var a = el("a", 0, text);
    var h = safeUrl(href, site);
    if (h) a.href = h;
    return a;
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // YYYY-MM-DD of a calendar day; month and day may overflow (month 12 is
  // January of the next year).
  function ymd(y, m, d) {
    var t = new Date(Date.UTC(y, m, d));
    return t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1) + "-" + pad(t.getUTCDate());
  }

  function nextDay(s) {
    return ymd(+s.slice(0, 4), s.slice(5, 7) - 1, +s.slice(8, 10) + 1);
  }

  function fmt(ms, opts) {
    opts.timeZone = "UTC";
    return new Date(ms).toLocaleDateString("en-GB", opts);
  }

  function monthName(y, m) {
    return fmt(Date.UTC(y, m, 1), { month: "long", year: "numeric" });
  }

  var DAY = /^\d{4}-\d\d-\d\d/;

  function load(w, params) {
    if (w.group) params.group = w.group;
    var path = w.slug === "*" ? "/embed/calendar" : "/embed/calendars/" + encodeURIComponent(w.slug);
    var url = w.site + path + ".json?" + new URLSearchParams(params);
    return fetch(url, { credentials: "omit", mode: "cors" })
      .then(function (r) {
        if (!r.ok) throw new Error("convene: " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (!data || typeof data.calendar !== "object" || !data.calendar || !Array.isArray(data.occurrences)) {
          throw new Error("convene: unexpected answer");
        }
        data.occurrences = data.occurrences.filter(function (o) {
          return o && typeof o === "object";
        });
        return data;
      });
  }

  // The title link, struck through and labelled in words when cancelled.
  function title(o, w) {
    var a = link(o.url, str(o.title) || "Untitled event", w.site);
    if (!o.cancelled) return a;
    var f = doc.createDocumentFragment();
    add(f, el("span", "x", "Cancelled"), doc.createTextNode(" "), add(el("s"), a));
    return f;
  }

  function time(o, text) {
    var t = el("time", 0, text);
    if (DAY.test(str(o.start))) t.setAttribute("datetime", str(o.start));
    return t;
  }

  function listBody(w, occ) {
    occ = occ.slice(0, w.limit);
    if (!occ.length) return el("p", "e", "No upcoming events.");
    var ul = el("ul", "l");
    occ.forEach(function (o) {
      var where = [o.group && o.group.name, o.place, o.online && "Online"]
        .filter(Boolean)
        .map(str)
        .filter(function (v, i, all) {
          return all.indexOf(v) === i;
        })
        .join(" · ");
      add(ul, add(el("li"), title(o, w), time(o, str(o.when || o.start)), where && el("span", "g", where)));
    });
    return ul;
  }

  // The day after the last day an occurrence covers. All-day ends are
  // already exclusive; timed events of a day or longer also cover their end
  // day unless they end at midnight. Shorter ones stay on their start day.
  function stopDay(o) {
    var end = str(o.end);
    if (!DAY.test(end)) return "";
    if (o.all_day) return end.slice(0, 10);
    if (!(Date.parse(end) - Date.parse(str(o.start)) >= 864e5)) return "";
    return /T00:00(:00)?([^0-9]|$)/.test(end) ? end.slice(0, 10) : nextDay(end.slice(0, 10));
  }

  function grid(w, occ, y, m) {
    var byDay = {};
    occ.forEach(function (o) {
      var d = str(o.date), stop = stopDay(o), n = 0;
      if (!DAY.test(d)) return;
      d = d.slice(0, 10);
      do {
        (byDay[d] = byDay[d] || []).push([o, n]);
        d = nextDay(d);
      } while (++n < 62 && d < stop);
    });

    var now = new Date();
    var today = ymd(now.getFullYear(), now.getMonth(), now.getDate());
    var lead = (new Date(Date.UTC(y, m, 1)).getUTCDay() + 6) % 7;
    var days = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    var table = el("table", "t");
    var head = el("tr");
    var body = el("tbody");
    var row, i;
    add(table, el("caption", "r", monthName(y, m)), add(el("thead"), head), body);
    for (i = 0; i < 7; i++) {
      var th = el("th");
      var ab = el("abbr", 0, fmt(MON + i * 864e5, { weekday: "short" }));
      ab.title = fmt(MON + i * 864e5, { weekday: "long" });
      th.scope = "col";
      add(head, add(th, ab));
    }
    for (i = 0; i < Math.ceil((lead + days) / 7) * 7; i++) {
      if (i % 7 === 0) body.appendChild((row = el("tr")));
      var td = row.appendChild(el("td"));
      var n = i - lead + 1;
      if (n < 1 || n > days) continue;
      var key = ymd(y, m, n);
      var list = byDay[key];
      if (key === today) td.setAttribute("aria-current", "date");
      add(td, el("span", "d", String(n)));
      if (!list) continue;
      var ul = td.appendChild(el("ul"));
      list.forEach(function (pair) {
        var o = pair[0], li = ul.appendChild(el("li"));
        var start = str(o.start);
        if (!pair[1] && !o.all_day && /T\d\d:\d\d/.test(start)) add(li, time(o, start.slice(11, 16)), doc.createTextNode(" "));
        add(li, title(o, w));
        // The cell has room for the start time only; the full text with the
        // event's time zone is in the tooltip and on the event page.
        if (o.when) li.title = str(o.when);
      });
    }
    return table;
  }

  function monthBody(w, data, y, m) {
    var box = doc.createDocumentFragment();
    var nav = el("div", "n");
    var prev = el("button", 0, "\u2039");
    var next = el("button", 0, "\u203a");
    var status = el("p", "s");
    var holder = el("div");
    var seq = 0;

    // occ is null when the month could not be loaded.
    function show(occ) {
      var name = monthName(y, m);
      holder.textContent = "";
      holder.removeAttribute("aria-busy");
      add(holder, occ ? grid(w, occ, y, m) : el("p", "e", "Could not load the events of " + name + "."));
      status.textContent = name + (occ && !occ.length ? " \u2014 no events" : "");
    }

    function go(step) {
      var t = new Date(Date.UTC(y, m + step, 1));
      var ny = t.getUTCFullYear(), nm = t.getUTCMonth(), mine = ++seq;
      holder.setAttribute("aria-busy", "true");
      load(w, { from: ymd(ny, nm, 1), to: ymd(ny, nm + 1, 1) })
        .then(
          function (d) {
            return d.occurrences;
          },
          function () {
            return null;
          }
        )
        .then(function (occ) {
          // A later click wins over an answer that arrives late.
          if (mine !== seq) return;
          y = ny;
          m = nm;
          show(occ);
        });
    }

    prev.type = next.type = "button";
    prev.setAttribute("aria-label", "Previous month");
    next.setAttribute("aria-label", "Next month");
    prev.onclick = function () {
      go(-1);
    };
    next.onclick = function () {
      go(1);
    };
    status.setAttribute("aria-live", "polite");
    show(data.occurrences);
    return add(box, add(nav, prev, status, next), holder);
  }

  function start(host, base) {
    if (host.hasAttribute("data-convene-state")) return;
    var attr = function (name) {
      return (host.getAttribute("data-" + name) || "").trim();
    };
    var site = (attr("site") || base).replace(/\/+$/, "");
    var slug = attr("convene-calendar");
    if (!slug || !site) return;
    var fallback = host.querySelector("a[href]");
    var limit = parseInt(attr("limit"), 10);
    var w = {
      site: site,
      slug: slug,
      group: attr("group"),
      limit: isNaN(limit) ? 5 : Math.min(50, Math.max(1, limit)),
      full: fallback && fallback.href
    };
    var month = attr("view") === "month";
    var now = new Date();
    var y = now.getFullYear(), m = now.getMonth();
    host.setAttribute("data-convene-state", "loading");
    load(w, month ? { from: ymd(y, m, 1), to: ymd(y, m + 1, 1) } : { limit: w.limit })
      .then(function (data) {
        var cal = data.calendar;
        var root = el("div");
        root.className = "convene-w convene-w-" + (attr("theme") === "dark" ? "dark" : "light");
        add(
          root,
          add(el("h2", "h"), link(cal.url || w.full, str(cal.name) || slug, site)),
          month ? monthBody(w, data, y, m) : listBody(w, data.occurrences),
          add(
            el("p", "f"),
            link(w.full || cal.url, "Full calendar", site),
            cal.webcal && link(cal.webcal, "Subscribe", site)
          )
        );
        addStyle();
        host.textContent = "";
        host.appendChild(root);
        host.setAttribute("data-convene-state", "ready");
      })
      .catch(function (e) {
        // The fallback link stays; the console says why for the page's author.
        host.setAttribute("data-convene-state", "failed");
        if (window.console) console.warn("convene calendar " + slug + ":", e);
      });
  }

  function init() {
    var base = scriptSite();
    var hosts = doc.querySelectorAll("[data-convene-calendar]");
    for (var i = 0; i < hosts.length; i++) start(hosts[i], base);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
