import Hummingbird

/// The stylesheet, the script and the icon, compiled into the binary: a page needs nothing
/// from anywhere else (no CDN, no build step), and the Content-Security-Policy says so.
enum Assets {
    static func add(to router: Router<BasicRequestContext>) {
        router.get("/assets/style.css") { _, _ in Reply.body(style, type: "text/css; charset=utf-8", cache: true) }
        router.get("/assets/app.js") { _, _ in Reply.body(script, type: "text/javascript; charset=utf-8", cache: true) }
        router.get("/assets/icon.svg") { _, _ in Reply.body(icon, type: "image/svg+xml", cache: true) }
    }

    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1c7ed6"/>\
        <path d="M8 22 L14 14 L19 18 L25 9" fill="none" stroke="white" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>
        """

    /// A little JavaScript, none of it needed to read a page: copy buttons, and suggestions
    /// under the search box from `/api/search` (arrow keys move through them, Escape closes).
    static let script = #"""
        "use strict";
        document.addEventListener("click", (event) => {
          const button = event.target.closest("[data-copy]");
          if (!button) return;
          const field = document.getElementById(button.dataset.copy);
          field.select();
          const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy"; }, 1500); };
          if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
          else if (document.execCommand("copy")) done();
        });

        (() => {
          const input = document.getElementById("q"), list = document.getElementById("suggestions");
          if (!input || !list) return;
          let timer = null, asked = "";
          const close = () => { list.hidden = true; list.replaceChildren(); };
          const item = (href, text, note) => {
            const li = document.createElement("li"), a = document.createElement("a");
            a.href = href; a.textContent = text;
            if (note) { const small = document.createElement("small"); small.textContent = " " + note; a.append(small); }
            li.append(a); return li;
          };
          const show = (result) => {
            const items = [
              ...result.models.map((m) => item("/models/" + m, m, "model")),
              ...result.tensors.map((t) => item("/models/" + t.model + ":" + t.version, t.name, t.model + ":" + t.version)),
              ...result.labels.map((l) => item("/?label=" + encodeURIComponent(l.key + "=" + l.value), l.key + "=" + l.value, "label")),
            ].slice(0, 12);
            list.replaceChildren(...items);
            list.hidden = items.length === 0;
          };
          input.addEventListener("input", () => {
            clearTimeout(timer);
            const text = input.value.trim();
            if (text.length < 2) { close(); return; }
            timer = setTimeout(() => {
              asked = text;
              fetch("/api/search?limit=5&q=" + encodeURIComponent(text))
                .then((r) => (r.ok ? r.json() : null))
                .then((result) => { if (result && asked === input.value.trim()) show(result); })
                .catch(close);
            }, 150);
          });
          const links = () => [...list.querySelectorAll("a")];
          input.addEventListener("keydown", (event) => {
            if (event.key === "ArrowDown" && !list.hidden) { event.preventDefault(); links()[0]?.focus(); }
            if (event.key === "Escape") close();
          });
          list.addEventListener("keydown", (event) => {
            const all = links(), at = all.indexOf(document.activeElement);
            if (event.key === "ArrowDown") { event.preventDefault(); all[Math.min(at + 1, all.length - 1)]?.focus(); }
            if (event.key === "ArrowUp") { event.preventDefault(); (at <= 0 ? input : all[at - 1]).focus(); }
            if (event.key === "Escape") { close(); input.focus(); }
          });
          document.addEventListener("click", (event) => { if (!event.target.closest(".search")) close(); });
        })();
        """#

    static let style = """
        :root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; --accent: #0969da; --accent-soft: #ddf4ff;
          --warn: #bc4c00; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--fg); background: #fff; line-height: 1.45; font-size: 15px; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        :focus-visible { outline: 3px solid #54aeff; outline-offset: 1px; border-radius: 3px; }
        code, .digest, input#pull { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px; z-index: 10; }
        .skip:focus { left: 8px; }
        .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        header.top { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 24px; background: #24292f; }
        .brand { color: #fff; font-weight: 700; font-size: 18px; letter-spacing: 0.02em; }
        .brand::before { content: ""; display: inline-block; width: 18px; height: 18px; margin-right: 8px; vertical-align: -3px;
          background: url(/assets/icon.svg) center / contain no-repeat; }
        .search { position: relative; display: flex; gap: 6px; flex: 1 1 280px; max-width: 520px; margin-left: auto; }
        .search input { flex: 1; min-width: 0; padding: 6px 10px; border-radius: 6px; border: 1px solid #57606a; background: #fff; font: inherit; }
        .search button, button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid var(--line); background: var(--soft);
          color: var(--fg); cursor: pointer; }
        button:hover { background: #eaeef2; }
        .search button { background: #f6f8fa; }
        .suggestions { position: absolute; top: 100%; left: 0; right: 0; margin: 4px 0 0; padding: 4px 0; list-style: none; background: #fff;
          border: 1px solid var(--line); border-radius: 6px; box-shadow: 0 8px 24px rgba(140,149,159,0.3); z-index: 5; }
        .suggestions a { display: block; padding: 6px 12px; color: var(--fg); }
        .suggestions a:hover, .suggestions a:focus { background: var(--accent-soft); text-decoration: none; }
        .suggestions small { color: var(--muted); }
        main { max-width: 1200px; margin: 0 auto; padding: 12px 24px 32px; }
        footer { max-width: 1200px; margin: 0 auto; padding: 16px 24px 32px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); }
        h1 { font-size: 26px; margin: 8px 0 4px; word-break: break-word; }
        h1 .number { color: var(--muted); font-weight: 500; }
        h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h2 small, h3 small { color: var(--muted); font-weight: 400; font-size: 14px; }
        h3 { font-size: 16px; margin: 18px 0 6px; }
        .lede { margin: 4px 0 14px; color: var(--muted); }
        .crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; padding: 0; margin: 6px 0 4px; font-size: 14px; color: var(--muted); }
        .crumbs li + li::before { content: "/"; margin-right: 6px; color: #8c959f; }
        .scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; }
        caption { text-align: left; padding: 8px 10px; font-weight: 600; background: var(--soft); border-bottom: 1px solid var(--line); }
        th, td { padding: 6px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #eaeef2; }
        th { background: var(--soft); font-weight: 600; white-space: nowrap; }
        tbody tr:last-child td { border-bottom: 0; }
        tbody tr:hover { background: #f6f8fa; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td time { white-space: nowrap; }
        a.model { font-weight: 600; }
        .badge { display: inline-block; padding: 0 8px; margin: 1px 0; border-radius: 999px; font-size: 12px; line-height: 20px;
          border: 1px solid var(--line); background: var(--soft); color: var(--fg); white-space: nowrap; }
        a.badge:hover { text-decoration: none; border-color: var(--accent); }
        .badge.alias { background: var(--accent-soft); border-color: #54aeff; color: #0550ae; }
        .badge.kind { background: #fff; color: var(--muted); }
        .badge.kept { background: #fff1e5; border-color: #ffb77c; color: var(--warn); }
        .badge.kept::before { content: "●"; margin-right: 4px; }
        .tags { white-space: nowrap; }
        .filters { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: flex-end; margin: 10px 0 6px; padding: 12px;
          background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
        .filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); gap: 2px; }
        .filters input { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 150px; }
        .actions { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
        .filters .actions { margin: 0; }
        .actions button[type=submit] { background: #1f883d; border-color: #1a7f37; color: #fff; }
        .actions button[type=submit]:hover { background: #1a7f37; }
        .pager { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; margin: 10px 0; color: var(--muted); font-size: 14px; }
        .empty { color: var(--muted); }
        .error { padding: 12px 14px; border: 1px solid #ff8182; background: #ffebe9; border-radius: 6px; }
        .curve { margin: 12px 0; }
        .curve svg { display: block; width: 100%; max-width: 760px; height: auto; border: 1px solid var(--line); border-radius: 6px; }
        .curve figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
        .pull { margin: 12px 0 16px; }
        .pull label { display: block; font-size: 13px; color: var(--muted); margin-bottom: 2px; }
        .copy { display: flex; gap: 6px; max-width: 900px; }
        .copy input { flex: 1; min-width: 0; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; word-break: break-all; }
        .lineage a, .lineage strong { white-space: nowrap; }
        .results { padding-left: 20px; }
        .results li { margin: 3px 0; }
        meter { width: 90px; vertical-align: middle; }
        .delta { display: inline-block; min-width: 6.5em; }
        .none { color: var(--muted); }
        @media (max-width: 640px) {
          header.top { padding: 8px 12px; }
          main, footer { padding-left: 12px; padding-right: 12px; }
          .search { flex-basis: 100%; max-width: none; }
          .facts { grid-template-columns: 1fr; }
          .facts dt { font-weight: 600; margin-top: 6px; }
          .filters input { min-width: 0; width: 100%; }
          .filters label { flex: 1 1 40%; }
        }
        """
}
